import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, it } from 'vitest'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'
import { checkAgainstModel } from '../support/recorder-model.js'

describe.skipIf(skipPostgres)('PostgreSQL recorder against the memory model', () => {
  it('answers every random operation sequence as the model does', async () => {
    await checkAgainstModel(
      () => createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema(), max: 2 }),
      30,
    )
  }, 120_000)
})
