// eventfold/store/sqlite: the embedded SQLite recorder (needs the `better-sqlite3` package, version 12).

export { createSqliteRecorder, type SqliteRecorder, type SqliteRecorderOptions } from './sqlite-recorder.js'
