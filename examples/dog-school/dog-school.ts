// The dog-school application: register dogs, teach them tricks, read them back.

import { randomUUID } from 'node:crypto'
import { type Application, aggregate, application } from 'eventfold/application'
import type { ApplicationRecorder } from 'eventfold/store'
import type { Either } from 'fp-ts/lib/Either.js'
import { map } from 'fp-ts/lib/Either.js'
import { type DogRejection, dog, dogEvents } from './dog.js'

export const dogs = aggregate({ name: 'dog', decider: dog, codec: dogEvents })

export interface DogSchool {
  readonly app: Application<typeof dogs>
  registerDog(name: string): Promise<Either<DogRejection, string>>
  addTrick(dogId: string, trick: string): Promise<Either<DogRejection, void>>
  getDog(dogId: string): Promise<{ readonly name: string; readonly tricks: readonly string[] } | undefined>
  close(): Promise<void>
}

/** Creates the dog school on the given recorder, or on the default one. */
export const createDogSchool = (options: { readonly recorder?: ApplicationRecorder } = {}): DogSchool => {
  const app = application({ name: 'dog_school', aggregates: [dogs], ...options })
  return {
    app,
    registerDog: async (name) => {
      const id = randomUUID()
      // A fresh UUID names a dog that cannot exist yet: no need to read its stream first.
      return map(() => id)(await app.execute(dogs, id, { type: 'RegisterDog', name }, { expectNew: true }))
    },
    addTrick: async (dogId, trick) =>
      map(() => undefined)(await app.execute(dogs, dogId, { type: 'AddTrick', trick })),
    getDog: async (dogId) => {
      const { state } = await app.get(dogs, dogId)
      return state === null ? undefined : { name: state.name, tricks: state.tricks }
    },
    close: () => app.close(),
  }
}
