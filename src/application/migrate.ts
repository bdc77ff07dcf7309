// Schema management for an application's store, configured as the application is (from the
// environment): apply the migrations its tables lack, or print them for a DBA to run.

import { EventfoldError } from '../codec/index.js'
import { checkName } from './aggregate.js'
import { type Environment, type Persistence, readConfig } from './config.js'

/** What to migrate: the application's name (it names the tables), and how. */
export interface MigrateOptions {
  readonly name: string
  /** The environment to read the configuration from (default `process.env`). */
  readonly env?: Environment
  /** A PostgreSQL role to grant the tables to (one that may not create anything). */
  readonly role?: string
  /** Do not apply anything: return the statements that would run. */
  readonly print?: boolean
}

/** What `migrate` did, or would do with `print`. */
export interface MigrateResult {
  readonly persistence: Persistence
  /** The schema version found (undefined when printing for PostgreSQL: the script suits any version). */
  readonly from: number | undefined
  readonly to: number
  readonly statements: readonly string[]
  readonly applied: boolean
}

/**
 * Takes an application's tables to this release's schema version (creating them if need be), or
 * with `print` returns the statements. The memory store has nothing to migrate.
 */
export const migrate = async (options: MigrateOptions): Promise<MigrateResult> => {
  const name = checkName('application', options.name)
  const config = readConfig(name, options.env).recorder
  const print = options.print === true
  if (options.role !== undefined && config.persistence !== 'postgres')
    throw new EventfoldError(
      'InvalidArgument',
      `a role to grant the tables to means PostgreSQL, not ${config.persistence}`,
    )
  switch (config.persistence) {
    case 'memory':
      return { persistence: 'memory', from: 0, to: 0, statements: [], applied: false }
    case 'sqlite': {
      if (config.path === undefined)
        throw new EventfoldError(
          'InvalidConfiguration',
          'an in-memory SQLite database has nothing to migrate: set EVENTFOLD_SQLITE_PATH',
        )
      const sqlite = await import('../store/sqlite/index.js')
      const where = { path: config.path, prefix: config.prefix }
      const report = print ? sqlite.pendingMigration(where) : sqlite.migrate(where)
      return { persistence: 'sqlite', ...report, applied: !print && report.statements.length > 0 }
    }
    case 'postgres': {
      const pg = await import('../store/postgres/index.js')
      const { url, schema, prefix } = config
      if (print) {
        const script = pg.migrationScript(pg.namesOf(schema, prefix), options.role)
        return {
          persistence: 'postgres',
          from: undefined,
          to: pg.LATEST_SCHEMA,
          statements: [script],
          applied: false,
        }
      }
      const report = await pg.migrate({
        schema,
        prefix,
        ...(url === undefined ? {} : { url }),
        ...(options.role ? { role: options.role } : {}),
      })
      return { persistence: 'postgres', ...report, applied: report.statements.length > 0 }
    }
  }
}
