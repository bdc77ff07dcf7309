// The dog-school workload: dogs registered and taught two tricks each, by N concurrent writers.

import { type Application, aggregate } from 'eventfold/application'
import { dog, dogEvents } from '../examples/dog-school/dog.js'
import { time } from './measure.js'

export const dogs = aggregate({ name: 'dog', decider: dog, codec: dogEvents })

/** Runs the workload on `app`, as the dog-school application does it (registering fresh ids with expectNew); returns events per second. */
export const dogSchool = async (app: Application, count: number, writers: number): Promise<number> => {
  const seconds = await time(async () => {
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = w; i < count; i += writers) {
          const id = `dog-${i}`
          await app.execute(dogs, id, { type: 'RegisterDog', name: `Dog ${i}` }, { expectNew: true })
          await app.execute(dogs, id, { type: 'AddTrick', trick: 'roll over' })
          await app.execute(dogs, id, { type: 'AddTrick', trick: 'fetch ball' })
        }
      }),
    )
  })
  return (count * 3) / seconds
}

/** Runs `insert(i)` for i in [0, total) on `writers` concurrent loops; returns inserts per second. */
export const concurrently = async (
  total: number,
  writers: number,
  insert: (i: number) => Promise<unknown>,
): Promise<number> => {
  const seconds = await time(async () => {
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = w; i < total; i += writers) await insert(i)
      }),
    )
  })
  return total / seconds
}
