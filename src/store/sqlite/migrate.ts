// Schema management for SQLite: which version a database is at, and the migrations that take it to
// this release's, applied in one immediate transaction (so two processes never migrate at once).

import { existsSync } from 'node:fs'
import Database from 'better-sqlite3'
import { schemaMissing, schemaTooNew } from '../errors.js'
import { LATEST_SCHEMA, migrations, type TableNames, tableNames, versionsTable } from './schema.js'

/** What a migration did: the version before and after, and the statements it ran. */
export interface MigrationReport {
  readonly from: number
  readonly to: number
  readonly statements: readonly string[]
}

const unquoted = (name: string): string => name.slice(1, -1)

/** The schema version of the database: 0 when it has no tables of this prefix, 1 for a database of release 0.1. */
export const schemaVersion = (db: Database.Database, t: TableNames): number => {
  const has = db
    .prepare<[string], number>(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`)
    .pluck()
  if (has.get(unquoted(t.versions)) === undefined) return has.get(unquoted(t.events)) === undefined ? 0 : 1
  return db.prepare<[], number>(`SELECT coalesce(max(version), 0) FROM ${t.versions}`).pluck().get() ?? 0
}

/** The statements that take a database from `from` to this release's version. */
export const pendingStatements = (t: TableNames, from: number): readonly string[] => [
  versionsTable(t),
  ...migrations(t)
    .filter((m) => m.version > from)
    .flatMap((m) => [...m.statements, `INSERT OR IGNORE INTO ${t.versions} (version) VALUES (${m.version})`]),
]

/** Applies the migrations the database lacks; a database at this release's version is left untouched. */
export const applyMigrations = (db: Database.Database, t: TableNames): MigrationReport =>
  db
    .transaction((): MigrationReport => {
      const from = schemaVersion(db, t)
      if (from > LATEST_SCHEMA)
        throw schemaTooNew(
          `the tables ${t.events.replace(/events"$/, '*"')} of the SQLite database`,
          from,
          LATEST_SCHEMA,
        )
      if (from === LATEST_SCHEMA) return { from, to: from, statements: [] }
      // A database of release 0.1 has version 1's tables and no record of them: version 1 is rerun (idempotent).
      const statements = pendingStatements(t, from <= 1 ? 0 : from)
      for (const statement of statements) db.exec(statement)
      return { from, to: LATEST_SCHEMA, statements }
    })
    .immediate()

/** Makes sure the schema is current: migrates it when allowed, else throws SchemaMissing (or SchemaTooNew). */
export const ensureSchema = (db: Database.Database, t: TableNames, createTables: boolean): void => {
  const current = schemaVersion(db, t)
  if (current === LATEST_SCHEMA) return
  if (current > LATEST_SCHEMA)
    throw schemaTooNew(
      `the tables ${t.events.replace(/events"$/, '*"')} of the SQLite database`,
      current,
      LATEST_SCHEMA,
    )
  if (!createTables)
    throw schemaMissing(
      `the tables ${t.events.replace(/events"$/, '*"')} of the SQLite database`,
      current,
      LATEST_SCHEMA,
    )
  applyMigrations(db, t)
}

/** Takes the database file's tables (of `prefix`) to this release's schema version, creating them if need be. */
export const migrate = (options: { readonly path: string; readonly prefix?: string }): MigrationReport => {
  const db = new Database(options.path)
  try {
    db.pragma('busy_timeout = 5000')
    return applyMigrations(db, tableNames(options.prefix ?? 'eventfold_'))
  } finally {
    db.close()
  }
}

/** The statements `migrate` would run on the database file now (none when it is current). */
export const pendingMigration = (options: {
  readonly path: string
  readonly prefix?: string
}): MigrationReport => {
  const t = tableNames(options.prefix ?? 'eventfold_')
  if (!existsSync(options.path)) return { from: 0, to: LATEST_SCHEMA, statements: pendingStatements(t, 0) }
  const db = new Database(options.path, { readonly: true })
  try {
    const from = schemaVersion(db, t)
    return {
      from,
      to: LATEST_SCHEMA,
      statements: from >= LATEST_SCHEMA ? [] : pendingStatements(t, from <= 1 ? 0 : from),
    }
  } finally {
    db.close()
  }
}
