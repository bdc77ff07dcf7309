// A document PostgreSQL's jsonb cannot store is its entry's failure: named, and kept aside under the dead-letter policy.

import { application, type EntryOf } from 'eventfold/application'
import { jsonState } from 'eventfold/codec'
import { documentProjection } from 'eventfold/process'
import { createDocumentProjection } from 'eventfold/runners'
import { createMemoryRecorder } from 'eventfold/store'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, expect, it } from 'vitest'
import { dogs } from '../../examples/dog-school/dog-school.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

type Entry = EntryOf<typeof dogs>

describe.skipIf(skipPostgres)('a document PostgreSQL cannot store (lone surrogate)', () => {
  it("is the entry's failure: with the dead-letter policy it is kept aside and the projection goes on", async () => {
    const app = application({ name: 'school', aggregates: [dogs], recorder: createMemoryRecorder() })
    for (const name of ['fido', 'rex', 'max']) await app.execute(dogs, name, { type: 'RegisterDog', name })
    const store = createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema(), max: 2 })
    try {
      const projection = createDocumentProjection({
        source: app,
        store,
        poison: 'dead-letter',
        projection: documentProjection({
          name: 'names',
          version: 1,
          codec: jsonState<{ name: string }>('Name'),
          key: (entry: Entry) => entry.notification.streamId,
          // A name cut in the middle of an emoji (a truncated user input, say): a lone surrogate.
          evolve: (_d: { name: string } | undefined, entry: Entry) => ({
            name: entry.notification.id === 2 ? '🐶'.slice(0, 1) : 'ok',
          }),
        }),
      })
      const outcome = await projection.catchUp().then(
        (n) => `applied ${n}`,
        (error: unknown) => String(error),
      )
      console.log('catchUp:', outcome, '; position', (await projection.lag()).position)
      expect(outcome).toBe('applied 3')
      expect((await projection.deadLetters()).map((l) => l.notificationId)).toEqual([2])
    } finally {
      await store.close()
    }
  })
})
