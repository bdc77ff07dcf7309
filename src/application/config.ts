// Configuration from the environment, as the Python eventsourcing library does it: which recorder,
// where, and with what options. A variable prefixed with the application's name (upper case)
// overrides the generic one for that application: DOG_SCHOOL_EVENTFOLD_PERSISTENCE=sqlite.

import { EventfoldError } from '../codec/index.js'
import {
  type Compression,
  createKeyring,
  createMemoryRecorder,
  isCompression,
  lazyRecorder,
  type MapperOptions,
  type ProjectionRecorder,
  parseKey,
  type Recorder,
} from '../store/index.js'

/** Environment variables, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>

/** The persistence an application runs on. */
export type Persistence = 'memory' | 'sqlite' | 'postgres'

/** The PostgreSQL recorder's options the environment sets; an option left unset is absent. */
export interface PostgresSettings {
  readonly createTables?: boolean
  readonly max?: number
  readonly statementTimeoutMs?: number
  readonly lockTimeoutMs?: number
  readonly idleInTransactionTimeoutMs?: number
  readonly connectTimeoutMs?: number
  readonly retryForMs?: number
  readonly replyTimeoutMs?: number
  readonly transactionPooling?: boolean
  readonly leaseTtlMs?: number
}

/** What the environment says about an application's recorder. */
export type RecorderConfig =
  | { readonly persistence: 'memory' }
  | {
      readonly persistence: 'sqlite'
      readonly path: string | undefined
      readonly prefix: string
      readonly createTables?: boolean
    }
  | ({
      readonly persistence: 'postgres'
      readonly url: string | undefined
      readonly schema: string
      readonly prefix: string
    } & PostgresSettings)

const PG_VARIABLES = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGSERVICE']

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']

const invalid = (message: string): EventfoldError => new EventfoldError('InvalidConfiguration', message)

/** Everything the environment configures for one application. */
export interface Config {
  readonly recorder: RecorderConfig
  /** Compression and encryption of stored data. */
  readonly mapper: MapperOptions
  /** Snapshot every this many events, for aggregates that do not say otherwise in code. */
  readonly snapshotEvery: number | undefined
}

/** A variable's trimmed value, with the name it was read from (the app-scoped one or the generic one). */
interface Setting {
  readonly name: string
  readonly value: string
}

type Read = (name: string) => Setting | undefined

/** Reads an application's configuration; throws InvalidConfiguration with what to fix. */
export const readConfig = (appName: string, env: Environment = process.env): Config => {
  const scope = `${appName.toUpperCase()}_`
  // An empty or blank value counts as unset, so an empty scoped variable falls back to the generic one.
  const read: Read = (name) => {
    for (const key of [scope + name, name]) {
      const value = env[key]?.trim()
      if (value !== undefined && value !== '') return { name: key, value }
    }
    return undefined
  }
  return {
    recorder: recorderConfig(read, scope, appName, env),
    mapper: mapperConfig(read),
    snapshotEvery: integer(read, 'EVENTFOLD_SNAPSHOT_EVERY', 1),
  }
}

const integer = (read: Read, name: string, min: number): number | undefined => {
  const setting = read(name)
  if (setting === undefined) return undefined
  const n = Number(setting.value)
  if (!/^\d+$/.test(setting.value) || !Number.isSafeInteger(n) || n < min)
    throw invalid(`${setting.name} must be a whole number >= ${min}, not ${JSON.stringify(setting.value)}`)
  return n
}

const flag = (read: Read, name: string): boolean | undefined => {
  const setting = read(name)
  if (setting === undefined) return undefined
  const value = setting.value.toLowerCase()
  if (value !== 'true' && value !== 'false')
    throw invalid(`${setting.name} is ${JSON.stringify(setting.value)}; use true or false`)
  return value === 'true'
}

type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> }

/** The entries whose value is set; an unset option stays absent from the configuration. */
const defined = <T extends object>(entries: T): Defined<T> =>
  Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Defined<T>

const compressionOf = (setting: Setting | undefined): Compression | undefined => {
  if (setting === undefined || setting.value === 'none') return undefined
  if (isCompression(setting.value)) return setting.value
  throw invalid(`${setting.name} is ${JSON.stringify(setting.value)}; use none, gzip, deflate or brotli`)
}

const mapperConfig = (read: Read): MapperOptions => {
  const compression = compressionOf(read('EVENTFOLD_COMPRESSION'))
  const key = read('EVENTFOLD_CIPHER_KEY')
  const old = read('EVENTFOLD_CIPHER_OLD_KEYS')
  if (key === undefined && old !== undefined)
    throw invalid(`${old.name} is set but EVENTFOLD_CIPHER_KEY is not`)
  const oldKeys = (old?.value.split(',') ?? [])
    .filter((k) => k.trim() !== '')
    .map((k, i) => parseKey(k, `${old?.name ?? ''}[${i}]`))
  const keyring = key === undefined ? undefined : createKeyring(parseKey(key.value, key.name), oldKeys)
  return {
    ...(compression === undefined ? {} : { compression }),
    ...(keyring ? { keyring } : {}),
  }
}

const recorderConfig = (read: Read, scope: string, appName: string, env: Environment): RecorderConfig => {
  const setting = read('EVENTFOLD_PERSISTENCE') ?? { name: 'EVENTFOLD_PERSISTENCE', value: 'memory' }
  const prefix = `${appName.toLowerCase()}_`
  switch (setting.value) {
    case 'memory':
      return { persistence: 'memory' }
    case 'sqlite':
      return {
        persistence: 'sqlite',
        path: read('EVENTFOLD_SQLITE_PATH')?.value,
        prefix,
        ...defined({ createTables: flag(read, 'EVENTFOLD_CREATE_TABLES') }),
      }
    case 'postgres': {
      const url = read('DATABASE_URL')
      if (url === undefined && !PG_VARIABLES.some((name) => env[name])) {
        throw invalid(
          `${setting.name}=postgres needs DATABASE_URL (or ${scope}DATABASE_URL, or the PG* variables)`,
        )
      }
      if (url !== undefined) checkUrl(url)
      const schema = read('EVENTFOLD_PG_SCHEMA')?.value ?? 'public'
      return { persistence: 'postgres', url: url?.value, schema, prefix, ...postgresSettings(read) }
    }
    default:
      throw invalid(`${setting.name} is ${JSON.stringify(setting.value)}; use memory, sqlite or postgres`)
  }
}

const postgresSettings = (read: Read): PostgresSettings =>
  defined({
    createTables: flag(read, 'EVENTFOLD_CREATE_TABLES'),
    max: integer(read, 'EVENTFOLD_PG_POOL_SIZE', 1),
    statementTimeoutMs: integer(read, 'EVENTFOLD_PG_STATEMENT_TIMEOUT_MS', 0),
    lockTimeoutMs: integer(read, 'EVENTFOLD_PG_LOCK_TIMEOUT_MS', 0),
    idleInTransactionTimeoutMs: integer(read, 'EVENTFOLD_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', 0),
    connectTimeoutMs: integer(read, 'EVENTFOLD_PG_CONNECT_TIMEOUT_MS', 1),
    retryForMs: integer(read, 'EVENTFOLD_PG_RETRY_FOR_MS', 0),
    replyTimeoutMs: integer(read, 'EVENTFOLD_PG_REPLY_TIMEOUT_MS', 1),
    transactionPooling: flag(read, 'EVENTFOLD_PG_TRANSACTION_POOLING'),
    leaseTtlMs: integer(read, 'EVENTFOLD_PG_LEASE_TTL_MS', 100),
  })

const checkUrl = (url: Setting): void => {
  if (!/^postgres(ql)?:\/\//.test(url.value)) {
    throw invalid(`${url.name} must start with postgres:// or postgresql://`)
  }
  const query = url.value.includes('?') ? url.value.slice(url.value.indexOf('?') + 1) : ''
  const sslmode = new URLSearchParams(query).get('sslmode')
  if (sslmode !== null && !SSL_MODES.includes(sslmode)) {
    throw invalid(`${url.name} has sslmode=${JSON.stringify(sslmode)}; use ${SSL_MODES.join(', ')}`)
  }
}

/** The recorder a configuration describes; durable drivers are imported on first use only. */
export const recorderFor = (config: RecorderConfig, appName: string): Recorder & ProjectionRecorder => {
  switch (config.persistence) {
    case 'memory':
      return createMemoryRecorder()
    case 'sqlite':
      return lazyRecorder(
        async () => {
          const { createSqliteRecorder } = await import('../store/sqlite/index.js')
          const { path, prefix, createTables } = config
          return createSqliteRecorder({
            prefix,
            ...(path === undefined ? {} : { path }),
            ...(createTables === undefined ? {} : { createTables }),
          })
        },
        { synchronousWrites: true },
      )
    case 'postgres':
      return lazyRecorder(async () => {
        const { createPostgresRecorder } = await import('../store/postgres/index.js')
        const { persistence: _, url, ...options } = config
        return createPostgresRecorder({
          ...options,
          applicationName: appName,
          ...(url === undefined ? {} : { url }),
        })
      })
  }
}
