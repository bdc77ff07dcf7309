import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, it } from 'vitest'
import { recorderConformance } from '../../src/testing/index.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

describe.skipIf(skipPostgres)('PostgreSQL recorder conformance', () => {
  for (const c of recorderConformance(() =>
    createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema() }),
  ))
    it(c.name, c.run)
})
