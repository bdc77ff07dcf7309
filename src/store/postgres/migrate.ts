// Schema management for PostgreSQL: which version a database is at, the migrations that take it to
// this release's (in one transaction, under an advisory lock, so racing processes migrate once), the
// script to hand to a DBA, and the grants a least-privileged role needs.

import postgres from 'postgres'
import { EventfoldError } from '../../codec/index.js'
import { schemaMissing, schemaTooNew } from '../errors.js'
import { LATEST_SCHEMA, migrations, type Names, namesOf, versionsTable } from './schema.js'
import { translate } from './translate.js'

/** What a migration did: the version before and after, and the statements it ran (none when current). */
export interface MigrationReport {
  readonly from: number
  readonly to: number
  readonly statements: readonly string[]
}

type Sql = postgres.Sql | postgres.TransactionSql

const missing = new Set(['42P01', '3F000']) // undefined_table, invalid_schema_name

/**
 * The schema version of the tables: 0 when there are none, 1 for tables of release 0.1 (which kept
 * no version table). Outside a transaction it tries the version table first: one query when it exists.
 */
export const schemaVersion = async (sql: Sql, n: Names, inTransaction = false): Promise<number> => {
  if (!inTransaction) {
    try {
      return await maxVersion(sql, n)
    } catch (error) {
      if (!missing.has(String((error as { code?: unknown }).code))) throw error
    }
  }
  // The catalog itself, not to_regclass: that reads this session's cached catalog, which may not
  // show the tables that a racing migration committed while this one waited for the lock.
  const exists = `EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
    WHERE s.nspname = $1 AND c.relname = $`
  const [row] = await sql.unsafe<{ versions: boolean; events: boolean }[]>(
    `SELECT ${exists}2) AS versions, ${exists}3) AS events`,
    [n.schemaName, n.tableName('schema_versions'), n.tableName('events')],
  )
  if (row?.versions) return maxVersion(sql, n)
  return row?.events ? 1 : 0
}

const maxVersion = async (sql: Sql, n: Names): Promise<number> => {
  const [row] = await sql.unsafe<{ v: number }[]>(
    `SELECT coalesce(max(version), 0)::int AS v FROM ${n.versions}`,
  )
  return row?.v ?? 0
}

const ROLE = /^[a-z_][a-z0-9_]*$/

/** The grants that let `role` use the tables without creating anything. */
export const grantStatements = (n: Names, role: string): readonly string[] => {
  if (!ROLE.test(role) || role.length > 63)
    throw new EventfoldError('InvalidConfiguration', `role name ${JSON.stringify(role)} must match ${ROLE}`)
  const q = `"${role}"`
  return [
    `GRANT USAGE ON SCHEMA ${n.schema} TO ${q}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${n.events}, ${n.tracking}, ${n.snapshots}, ${n.keys}, ${n.leases},
      ${n.projections}, ${n.documents}, ${n.documentFields}, ${n.deadLetters} TO ${q}`,
    `GRANT SELECT ON ${n.versions} TO ${q}`,
    `GRANT EXECUTE ON FUNCTION ${n.append}, ${n.appendOne}, ${n.appendChecked} TO ${q}`,
  ]
}

/**
 * The whole migration as one script: every statement is idempotent, so the script takes a database
 * at any earlier version (or none) to this release's. With `role`, the grants for it follow.
 */
export const migrationScript = (n: Names, role?: string): string =>
  [
    'BEGIN',
    `SELECT pg_advisory_xact_lock(hashtext('${n.channel}'))`,
    ...statementsFrom(n, 0),
    ...(role ? grantStatements(n, role) : []),
    'COMMIT',
  ]
    .map((s) => `${s};\n`)
    .join('\n')

const statementsFrom = (n: Names, from: number): readonly string[] => [
  ...versionsTable(n),
  ...migrations(n)
    .filter((m) => m.version > from)
    .flatMap((m) => [
      ...m.statements,
      `INSERT INTO ${n.versions} (version) VALUES (${m.version}) ON CONFLICT (version) DO NOTHING`,
    ]),
]

/** Applies the migrations the database lacks, and the grants for `role`; a current schema gets no DDL. */
export const applyMigrations = async (sql: postgres.Sql, n: Names, role?: string): Promise<MigrationReport> =>
  sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${n.channel}))`
    const from = await schemaVersion(tx, n, true)
    if (from > LATEST_SCHEMA)
      throw schemaTooNew(`the tables ${n.events.replace(/_events"$/, '_*"')}`, from, LATEST_SCHEMA)
    // Tables of release 0.1 have no record of version 1: it is rerun (idempotent).
    const statements = [
      ...(from === LATEST_SCHEMA ? [] : statementsFrom(n, from <= 1 ? 0 : from)),
      ...(role ? grantStatements(n, role) : []),
    ]
    for (const statement of statements) await tx.unsafe(statement)
    return { from, to: LATEST_SCHEMA, statements }
  })

/**
 * Makes sure the schema is current before first use: one query when it is; migrates when it is
 * not and `createTables` allows; else SchemaMissing naming the command to run.
 */
export const ensureSchema = async (sql: postgres.Sql, n: Names, createTables: boolean): Promise<void> => {
  const current = await schemaVersion(sql, n)
  if (current === LATEST_SCHEMA) return
  if (current > LATEST_SCHEMA)
    throw schemaTooNew(`the tables ${n.events.replace(/_events"$/, '_*"')}`, current, LATEST_SCHEMA)
  if (!createTables)
    throw schemaMissing(`the tables ${n.events.replace(/_events"$/, '_*"')}`, current, LATEST_SCHEMA)
  try {
    await applyMigrations(sql, n)
  } catch (error) {
    if ((error as { code?: unknown }).code === '42501')
      throw schemaMissing(`the tables ${n.events.replace(/_events"$/, '_*"')}`, current, LATEST_SCHEMA, error)
    throw error
  }
}

/** Where to migrate: the recorder's connection options, and the role to grant the tables to. */
export interface MigrateOptions {
  readonly url?: string
  readonly schema?: string
  readonly prefix?: string
  /** A role to grant what the recorder needs (USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on the tables). */
  readonly role?: string
}

/**
 * Takes a database's tables to this release's schema version (creating them if need be) as the
 * role of `url`, which must be allowed to create them; grants them to `role` if given.
 */
export const migrate = async (options: MigrateOptions = {}): Promise<MigrationReport> => {
  const n = namesOf(options.schema ?? 'public', options.prefix ?? 'eventfold_')
  const config = { max: 1, onnotice: () => {}, connect_timeout: 10 }
  const sql = options.url === undefined ? postgres(config) : postgres(options.url, config)
  try {
    return await applyMigrations(sql, n, options.role)
  } catch (error) {
    throw translate(error)
  } finally {
    await sql.end({ timeout: 5 })
  }
}
