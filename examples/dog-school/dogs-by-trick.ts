// A durable read model of the dog school: for each trick, the dogs that know it — a document
// projection, stored by the library beside its position in the log (memory, SQLite or PostgreSQL).

import type { EntryOf } from 'eventfold/application'
import { stateFromZod } from 'eventfold/codec/zod'
import { documentProjection } from 'eventfold/process'
import * as z from 'zod'
import type { dogs } from './dog-school.js'

const trickDocument = z.object({ trick: z.string(), dogs: z.array(z.string()) })

/** The document of one trick: the ids of the dogs that know it, in the order they learnt it. */
export type TrickDocument = z.infer<typeof trickDocument>

/** Dogs by trick: one document per trick, found by how many dogs know it. */
export const dogsByTrick = documentProjection({
  name: 'dogs_by_trick',
  codec: stateFromZod('TrickDocument', trickDocument),
  key: (entry: EntryOf<typeof dogs>) =>
    entry._tag === 'Event' && entry.event.type === 'TrickAdded' ? entry.event.trick : undefined,
  evolve: (document: TrickDocument | undefined, entry, trick) => {
    const dogId = entry.notification.streamId.slice('dog-'.length)
    const known = document?.dogs ?? []
    return known.includes(dogId) ? { trick, dogs: known } : { trick, dogs: [...known, dogId] }
  },
  indexes: { dogCount: (document) => document.dogs.length },
})
