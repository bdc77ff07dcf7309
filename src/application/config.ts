// Configuration from the environment, as the Python eventsourcing library does it: which recorder,
// where, and with what options. A variable prefixed with the application's name (upper case)
// overrides the generic one for that application: DOG_SCHOOL_EVENTFOLD_PERSISTENCE=sqlite.

import { EventfoldError } from '../codec/index.js'
import {
  createKeyring,
  createMemoryRecorder,
  isCompression,
  lazyRecorder,
  type MapperOptions,
  parseKey,
  type Recorder,
} from '../store/index.js'

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

/** Everything the environment configures for one application. */
export interface Config {
  readonly recorder: RecorderConfig
  /** Compression and encryption of stored data. */
  readonly mapper: MapperOptions
  /** Snapshot every this many events, for aggregates that do not say otherwise in code. */
  readonly snapshotEvery: number | undefined
}

/** Reads an application's configuration; throws InvalidConfiguration with what to fix. */
export const readConfig = (appName: string, env: Environment = process.env): Config => {
  const scope = `${appName.toUpperCase()}_`
  const read = (name: string): string | undefined => {
    const value = env[scope + name] ?? env[name]
    return value === undefined || value.trim() === '' ? undefined : value.trim()
  }
  return {
    recorder: recorderConfig(read, scope, appName, env),
    mapper: mapperConfig(read),
    snapshotEvery: snapshotEvery(read),
  }
}

type Read = (name: string) => string | undefined

const snapshotEvery = (read: Read): number | undefined => {
  const text = read('EVENTFOLD_SNAPSHOT_EVERY')
  if (text === undefined) return undefined
  const every = Number(text)
  if (!Number.isSafeInteger(every) || every < 1)
    throw invalid(`EVENTFOLD_SNAPSHOT_EVERY must be a whole number >= 1, not ${JSON.stringify(text)}`)
  return every
}

const mapperConfig = (read: Read): MapperOptions => {
  const compression = read('EVENTFOLD_COMPRESSION') ?? 'none'
  if (compression !== 'none' && !isCompression(compression)) {
    throw invalid(
      `EVENTFOLD_COMPRESSION is ${JSON.stringify(compression)}; use none, gzip, deflate or brotli`,
    )
  }
  const key = read('EVENTFOLD_CIPHER_KEY')
  const old = read('EVENTFOLD_CIPHER_OLD_KEYS')
  if (key === undefined && old !== undefined)
    throw invalid('EVENTFOLD_CIPHER_OLD_KEYS is set but EVENTFOLD_CIPHER_KEY is not')
  const keyring =
    key === undefined
      ? undefined
      : createKeyring(
          parseKey(key),
          (old ?? '')
            .split(',')
            .filter((k) => k.trim() !== '')
            .map((k, i) => parseKey(k, `EVENTFOLD_CIPHER_OLD_KEYS[${i}]`)),
        )
  return { ...(compression === 'none' ? {} : { compression }), ...(keyring ? { keyring } : {}) }
}

const recorderConfig = (read: Read, scope: string, appName: string, env: Environment): RecorderConfig => {
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
