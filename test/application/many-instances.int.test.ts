// Several application instances over one PostgreSQL schema, each with its own connection pool,
// decide on the current state whatever each has cached (checked against a reading oracle).

import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, it } from 'vitest'
import { checkInstances } from '../support/instances-model.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

describe.skipIf(skipPostgres)('many application instances over one PostgreSQL schema', () => {
  it('decide every command as on a state read just before', async () => {
    await checkInstances(() => {
      const schema = freshSchema()
      return {
        recorders: () => createPostgresRecorder({ url: databaseUrl ?? '', schema, max: 2 }),
        close: async () => {},
      }
    }, 25)
  }, 120_000)
})
