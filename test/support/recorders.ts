// The three recorders, by name, for suites that must pass on each: memory, SQLite, PostgreSQL.

import type { Recorder } from 'eventfold/store'
import { createMemoryRecorder } from 'eventfold/store'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { createSqliteRecorder } from 'eventfold/store/sqlite'
import { databaseUrl, freshSchema, skipPostgres } from './postgres.js'

/** A named recorder factory; `skip` is true where the recorder cannot run in this test run. */
export interface RecorderKind {
  readonly name: string
  readonly create: () => Recorder
  readonly skip: boolean
}

export const recorderKinds: readonly RecorderKind[] = [
  { name: 'memory', create: createMemoryRecorder, skip: false },
  { name: 'sqlite', create: () => createSqliteRecorder(), skip: false },
  {
    name: 'postgres',
    create: () => createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema() }),
    skip: skipPostgres,
  },
]
