// eventfold/store/sqlite: the embedded SQLite recorder (needs the `better-sqlite3` package, version 12).

export {
  applyMigrations,
  type MigrationReport,
  migrate,
  pendingMigration,
  pendingStatements,
  schemaVersion,
} from './migrate.js'
export { LATEST_SCHEMA, type TableNames, tableNames } from './schema.js'
export {
  createSqliteRecorder,
  type SqliteRecorder,
  type SqliteRecorderOptions,
  type SqliteTransaction,
} from './sqlite-recorder.js'
