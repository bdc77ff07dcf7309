// Configuration from the environment, as the Python eventsourcing library does it: which recorder,
// where, and with what options. A variable prefixed with the application's name (upper case)
// overrides the generic one for that application: DOG_SCHOOL_EVENTFOLD_PERSISTENCE=sqlite.

import { EventfoldError } from '../codec/index.js'
import { createMemoryRecorder, lazyRecorder, type Recorder } from '../store/index.js'

/** Environment variables, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>

/** The persistence an application runs on. */
export type Persistence = 'memory' | 'sqlite' | 'postgres'

/** What the environment says about an application's recorder. */
export type RecorderConfig =
  | { readonly persistence: 'memory' }
  | { readonly persistence: 'sqlite'; readonly path: string | undefined; readonly prefix: string }
  | {
      readonly persistence: 'postgres'
      readonly url: string | undefined
      readonly schema: string
      readonly prefix: string
    }

const PG_VARIABLES = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGSERVICE']

const invalid = (message: string): EventfoldError => new EventfoldError('InvalidConfiguration', message)

/** Reads an application's recorder configuration; throws InvalidConfiguration with what to fix. */
export const readConfig = (appName: string, env: Environment = process.env): RecorderConfig => {
  const scope = `${appName.toUpperCase()}_`
  const read = (name: string): string | undefined => {
    const value = env[scope + name] ?? env[name]
    return value === undefined || value.trim() === '' ? undefined : value.trim()
  }
  const persistence = read('EVENTFOLD_PERSISTENCE') ?? 'memory'
  const prefix = `${appName.toLowerCase()}_`
  switch (persistence) {
    case 'memory':
      return { persistence }
    case 'sqlite':
      return { persistence, path: read('EVENTFOLD_SQLITE_PATH'), prefix }
    case 'postgres': {
      const url = read('DATABASE_URL')
      if (url === undefined && !PG_VARIABLES.some((name) => env[name])) {
        throw invalid(
          `EVENTFOLD_PERSISTENCE=postgres needs DATABASE_URL (or ${scope}DATABASE_URL, or the PG* variables)`,
        )
      }
      if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) {
        throw invalid('DATABASE_URL must start with postgres:// or postgresql://')
      }
      return { persistence, url, schema: read('EVENTFOLD_PG_SCHEMA') ?? 'public', prefix }
    }
    default:
      throw invalid(`EVENTFOLD_PERSISTENCE is ${JSON.stringify(persistence)}; use memory, sqlite or postgres`)
  }
}

/** The recorder a configuration describes; durable drivers are imported on first use only. */
export const recorderFor = (config: RecorderConfig, appName: string): Recorder => {
  switch (config.persistence) {
    case 'memory':
      return createMemoryRecorder()
    case 'sqlite':
      return lazyRecorder(async () => {
        const { createSqliteRecorder } = await import('../store/sqlite/index.js')
        return createSqliteRecorder({
          prefix: config.prefix,
          ...(config.path === undefined ? {} : { path: config.path }),
        })
      })
    case 'postgres':
      return lazyRecorder(async () => {
        const { createPostgresRecorder } = await import('../store/postgres/index.js')
        const { url, schema, prefix } = config
        return createPostgresRecorder({
          schema,
          prefix,
          applicationName: appName,
          ...(url === undefined ? {} : { url }),
        })
      })
  }
}
