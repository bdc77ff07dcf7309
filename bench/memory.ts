// Benchmarks on the memory recorder: the dog-school workload and loading a long stream.

import { type Aggregate, aggregate, application } from 'eventfold/application'
import { fromZod } from 'eventfold/codec/zod'
import type { Decider } from 'eventfold/decide'
import { createMapper, createMemoryRecorder, type Mapper } from 'eventfold/store'
import * as z from 'zod'
import { dog, dogEvents } from '../examples/dog-school/dog.js'
import { median, type Row, time } from './measure.js'

const dogs = aggregate({ name: 'dog', decider: dog, codec: dogEvents })

/** 10,000 dogs, each registered and taught two tricks: 30,000 commands, 30,000 events. */
export const dogSchoolWorkload = async (count = 10_000, mapper?: Mapper, label = ''): Promise<Row> => {
  const app = application({
    name: 'bench',
    aggregates: [dogs],
    recorder: createMemoryRecorder(),
    ...(mapper ? { mapper } : {}),
  })
  const seconds = await time(async () => {
    for (let i = 0; i < count; i++) {
      const id = `dog-${i}`
      await app.execute(dogs, id, { type: 'RegisterDog', name: `Dog ${i}` }, { expectNew: true })
      await app.execute(dogs, id, { type: 'AddTrick', trick: 'roll over' })
      await app.execute(dogs, id, { type: 'AddTrick', trick: 'fetch ball' })
    }
  })
  const events = await app.log.maxId()
  await app.close()
  return {
    name: `memory: dog-school workload (${count} dogs, ${events} events)${label}`,
    value: events / seconds,
    unit: 'events/s',
  }
}

// An account whose evolve is O(1), to measure what the library itself costs per loaded event.
const accountEvents = fromZod({
  Deposited: z.object({ amount: z.number().int().positive(), note: z.string() }),
})
type Deposited = { readonly type: 'Deposited'; readonly amount: number; readonly note: string }
const account: Decider<{ readonly amount: number }, number, Deposited> = {
  initialState: 0,
  decide: ({ amount }) => [{ type: 'Deposited', amount, note: 'salary' }],
  evolve: (balance, event) => balance + event.amount,
}
const accounts = aggregate({ name: 'account', decider: account, codec: accountEvents })

/** get() of one stream of `events`, median of 21 runs, in ms (with a snapshot at the end when asked). */
const timeGet = async <C, S, E, R>(
  agg: Aggregate<C, S, E, R>,
  events: readonly E[],
  snapshot = false,
): Promise<number> => {
  const recorder = createMemoryRecorder()
  const mapper = createMapper()
  await recorder.insertEvents(
    events.map((e, i) => mapper.toStored(`${agg.name}-x`, i + 1, agg.codec.encode(e))),
  )
  const app = application({ name: 'bench', aggregates: [agg], recorder, cacheSize: 0 })
  if (snapshot) await app.takeSnapshot(agg, 'x', events.length - 50)
  const runs: number[] = []
  for (let i = 0; i < 21; i++) {
    runs.push(
      await time(async () => {
        const { version } = await app.get(agg, 'x')
        if (version !== events.length) throw new Error(`loaded version ${version}`)
      }),
    )
  }
  await app.close()
  return median(runs) * 1000
}

/** Loads one aggregate of 10,000 events, decoded and validated by zod: an O(1) evolve, and the dog. */
export const loadLongStream = async (length = 10_000): Promise<Row[]> => {
  const deposits = Array.from({ length }, (_, i) => ({
    type: 'Deposited' as const,
    amount: i + 1,
    note: 'salary',
  }))
  const tricks = [
    { type: 'DogRegistered' as const, name: 'Fido' },
    ...Array.from({ length: length - 1 }, (_, i) => ({ type: 'TrickAdded' as const, trick: `trick ${i}` })),
  ]
  return [
    {
      name: `memory: get() of an aggregate with ${length} events, zod-validated (median of 21)`,
      value: await timeGet(accounts, deposits),
      unit: 'ms',
    },
    {
      name: `memory: the same, from a snapshot 50 events before the end`,
      value: await timeGet(aggregate({ ...accounts, snapshotEvery: length }), deposits, true),
      unit: 'ms',
    },
    {
      name: `memory: get() of a dog with ${length} tricks (its evolve copies the array: O(n²))`,
      value: await timeGet(dogs, tricks),
      unit: 'ms',
    },
  ]
}
