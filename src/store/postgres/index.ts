// eventfold/store/postgres: the PostgreSQL recorder (needs the `postgres` package) and its schema management.

export {
  applyMigrations,
  grantStatements,
  type MigrateOptions,
  type MigrationReport,
  migrate,
  migrationScript,
  schemaVersion,
} from './migrate.js'
export {
  createPostgresRecorder,
  type PostgresRecorder,
  type PostgresRecorderOptions,
} from './postgres-recorder.js'
export type { PostgresTransaction } from './projections.js'
export { LATEST_SCHEMA, type Names, namesOf } from './schema.js'
