import { isEventfoldError } from 'eventfold'
import { application, type Environment, readConfig } from 'eventfold/application'
import { describe, expect, it } from 'vitest'
import { dogs } from '../../examples/dog-school/dog-school.js'

/** The message of the InvalidConfiguration error that reading `env` throws. */
const failure = (env: Environment, appName = 'bank'): string => {
  try {
    readConfig(appName, env)
  } catch (error) {
    if (isEventfoldError(error, 'InvalidConfiguration')) return error.message
    throw error
  }
  throw new Error('the configuration was accepted')
}

const postgres = { EVENTFOLD_PERSISTENCE: 'postgres', DATABASE_URL: 'postgres://h/db' }
const postgresConfig = { persistence: 'postgres', url: 'postgres://h/db', schema: 'public', prefix: 'bank_' }

// variable, a good value, the recorder option it sets with that value, a bad value.
const recorderVariables: readonly (readonly [string, string, Record<string, unknown>, string])[] = [
  ['EVENTFOLD_CREATE_TABLES', 'false', { createTables: false }, 'no'],
  ['EVENTFOLD_PG_POOL_SIZE', '4', { max: 4 }, '0'],
  ['EVENTFOLD_PG_STATEMENT_TIMEOUT_MS', '2000', { statementTimeoutMs: 2000 }, '-1'],
  ['EVENTFOLD_PG_LOCK_TIMEOUT_MS', '0', { lockTimeoutMs: 0 }, '1.5'],
  ['EVENTFOLD_PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', '30000', { idleInTransactionTimeoutMs: 30000 }, 'soon'],
  ['EVENTFOLD_PG_CONNECT_TIMEOUT_MS', '1500', { connectTimeoutMs: 1500 }, '0'],
  ['EVENTFOLD_PG_RETRY_FOR_MS', '0', { retryForMs: 0 }, '1e3'],
  ['EVENTFOLD_PG_REPLY_TIMEOUT_MS', '500', { replyTimeoutMs: 500 }, '0'],
  ['EVENTFOLD_PG_TRANSACTION_POOLING', 'true', { transactionPooling: true }, 'yes'],
  ['EVENTFOLD_PG_LEASE_TTL_MS', '100', { leaseTtlMs: 100 }, '99'],
]

describe('configuration from the environment', () => {
  it('is memory by default', () => {
    expect(readConfig('shop', {}).recorder).toEqual({ persistence: 'memory' })
  })

  it('reads SQLite and PostgreSQL settings, with table prefixes per application', () => {
    expect(
      readConfig('shop', { EVENTFOLD_PERSISTENCE: 'sqlite', EVENTFOLD_SQLITE_PATH: '/tmp/x.db' }).recorder,
    ).toEqual({
      persistence: 'sqlite',
      path: '/tmp/x.db',
      prefix: 'shop_',
    })
    expect(
      readConfig('shop', { EVENTFOLD_PERSISTENCE: 'postgres', DATABASE_URL: 'postgres://h/db' }).recorder,
    ).toEqual({
      persistence: 'postgres',
      url: 'postgres://h/db',
      schema: 'public',
      prefix: 'shop_',
    })
    expect(readConfig('shop', { EVENTFOLD_PERSISTENCE: 'postgres', PGHOST: 'db' }).recorder).toMatchObject({
      url: undefined,
    })
  })

  it('lets a variable prefixed with the application name override the generic one', () => {
    const env = {
      EVENTFOLD_PERSISTENCE: 'postgres',
      DATABASE_URL: 'postgres://h/a',
      DOG_SCHOOL_EVENTFOLD_PERSISTENCE: 'sqlite',
    }
    expect(readConfig('dog_school', env).recorder).toMatchObject({ persistence: 'sqlite' })
    expect(readConfig('billing', env).recorder).toMatchObject({ persistence: 'postgres' })
  })

  it('fails fast, with what to fix, on bad configuration', () => {
    expect(() => readConfig('shop', { EVENTFOLD_PERSISTENCE: 'mongo' })).toThrow(
      /EVENTFOLD_PERSISTENCE is "mongo"; use memory, sqlite or postgres/,
    )
    expect(() => readConfig('shop', { EVENTFOLD_PERSISTENCE: 'postgres' })).toThrow(/needs DATABASE_URL/)
    expect(() =>
      readConfig('shop', { EVENTFOLD_PERSISTENCE: 'postgres', DATABASE_URL: 'mysql://x' }),
    ).toThrow(/must start with postgres/)
    expect(() =>
      application({ name: 'shop', aggregates: [], env: { EVENTFOLD_PERSISTENCE: 'nope' } }),
    ).toThrow(/InvalidConfiguration/)
  })

  it('reads compression, cipher keys (with older keys for rotation) and the snapshot interval', async () => {
    const { createKeyring, generateKey, parseKey } = await import('eventfold/store')
    const [current, old] = [generateKey(), generateKey()]
    const config = readConfig('shop', {
      EVENTFOLD_COMPRESSION: 'brotli',
      EVENTFOLD_CIPHER_KEY: current,
      EVENTFOLD_CIPHER_OLD_KEYS: old,
      SHOP_EVENTFOLD_SNAPSHOT_EVERY: '50',
    })
    expect(config.mapper).toEqual({
      compression: 'brotli',
      keyring: createKeyring(parseKey(current), [parseKey(old)]),
    })
    expect(config.snapshotEvery).toBe(50)
    expect(readConfig('shop', {})).toEqual({
      recorder: { persistence: 'memory' },
      mapper: {},
      snapshotEvery: undefined,
    })
  })

  it('fails fast on bad compression, keys and snapshot intervals', () => {
    expect(() => readConfig('shop', { EVENTFOLD_COMPRESSION: 'zip' })).toThrow(
      /EVENTFOLD_COMPRESSION is "zip"/,
    )
    expect(() => readConfig('shop', { EVENTFOLD_CIPHER_KEY: 'c2hvcnQ=' })).toThrow(
      /must decode to 32 bytes, not 5/,
    )
    expect(() => readConfig('shop', { EVENTFOLD_CIPHER_OLD_KEYS: 'x' })).toThrow(
      /EVENTFOLD_CIPHER_KEY is not/,
    )
    expect(() => readConfig('shop', { EVENTFOLD_SNAPSHOT_EVERY: '0' })).toThrow(
      /EVENTFOLD_SNAPSHOT_EVERY must be/,
    )
  })

  it('runs an application on SQLite chosen by the environment', async () => {
    const app = application({
      name: 'dog_school',
      aggregates: [dogs],
      env: { EVENTFOLD_PERSISTENCE: 'sqlite' },
    })
    await app.execute(dogs, 'fido', { type: 'RegisterDog', name: 'Fido' })
    expect((await app.get(dogs, 'fido')).version).toBe(1)
    expect((await app.log.select(1, 10)).map((n) => n.id)).toEqual([1])
    await app.close()
  })

  it('creates nothing when an application is closed unused', async () => {
    const app = application({
      name: 'idle',
      aggregates: [],
      env: { EVENTFOLD_PERSISTENCE: 'postgres', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    })
    await expect(app.close()).resolves.toBeUndefined()
  })

  it('treats an empty or blank app-scoped variable as unset, falling back to the generic one', () => {
    const env = {
      ...postgres,
      BANK_EVENTFOLD_PERSISTENCE: '',
      BANK_DATABASE_URL: '  ',
      BANK_EVENTFOLD_PG_SCHEMA: '',
      EVENTFOLD_PG_SCHEMA: 'ledger',
    }
    expect(readConfig('bank', env).recorder).toEqual({ ...postgresConfig, schema: 'ledger' })
    expect(
      readConfig('bank', { BANK_EVENTFOLD_SNAPSHOT_EVERY: '', EVENTFOLD_SNAPSHOT_EVERY: '7' }).snapshotEvery,
    ).toBe(7)
    expect(readConfig('bank', { EVENTFOLD_PERSISTENCE: ' ' }).recorder).toEqual({ persistence: 'memory' })
  })

  it('reports a bad app-scoped value under the app-scoped name', () => {
    expect(failure({ ...postgres, BANK_EVENTFOLD_PERSISTENCE: 'mongo' })).toMatch(
      /^InvalidConfiguration: BANK_EVENTFOLD_PERSISTENCE is "mongo"; use memory, sqlite or postgres$/,
    )
    expect(failure({ ...postgres, BANK_DATABASE_URL: 'mysql://x' })).toMatch(
      /^InvalidConfiguration: BANK_DATABASE_URL must start with postgres/,
    )
    expect(failure({ BANK_EVENTFOLD_COMPRESSION: 'zip' })).toMatch(
      /^InvalidConfiguration: BANK_EVENTFOLD_COMPRESSION is "zip"/,
    )
    expect(failure({ BANK_EVENTFOLD_SNAPSHOT_EVERY: '0' })).toMatch(
      /^InvalidConfiguration: BANK_EVENTFOLD_SNAPSHOT_EVERY must be a whole number >= 1/,
    )
    expect(failure({ BANK_EVENTFOLD_CIPHER_KEY: 'c2hvcnQ=' })).toMatch(
      /^InvalidConfiguration: BANK_EVENTFOLD_CIPHER_KEY must decode to 32 bytes/,
    )
    expect(failure({ BANK_EVENTFOLD_CIPHER_OLD_KEYS: 'x' })).toMatch(
      /^InvalidConfiguration: BANK_EVENTFOLD_CIPHER_OLD_KEYS is set but EVENTFOLD_CIPHER_KEY is not/,
    )
    expect(failure({ BANK_EVENTFOLD_PERSISTENCE: 'postgres' })).toMatch(
      /^InvalidConfiguration: BANK_EVENTFOLD_PERSISTENCE=postgres needs DATABASE_URL/,
    )
  })

  it.each(recorderVariables)('passes %s=%s on to the PostgreSQL recorder', (name, value, option) => {
    expect(readConfig('bank', { ...postgres, [name]: value }).recorder).toEqual({
      ...postgresConfig,
      ...option,
    })
    expect(readConfig('bank', { ...postgres, [`BANK_${name}`]: value, [name]: '' }).recorder).toEqual({
      ...postgresConfig,
      ...option,
    })
  })

  it.each(recorderVariables)(
    'rejects a bad %s, naming the variable it was read from',
    (name, good, _, bad) => {
      expect(failure({ ...postgres, [name]: bad })).toMatch(
        new RegExp(
          `^InvalidConfiguration: ${name} (must be a whole number|is ${JSON.stringify(bad)}; use true or false)`,
        ),
      )
      expect(failure({ ...postgres, [name]: good, [`BANK_${name}`]: bad })).toMatch(
        new RegExp(`^InvalidConfiguration: BANK_${name} `),
      )
    },
  )

  it('passes EVENTFOLD_CREATE_TABLES on to SQLite, and leaves it out when unset', () => {
    const sqlite = { EVENTFOLD_PERSISTENCE: 'sqlite' }
    expect(readConfig('bank', { ...sqlite, EVENTFOLD_CREATE_TABLES: 'FALSE' }).recorder).toEqual({
      persistence: 'sqlite',
      path: undefined,
      prefix: 'bank_',
      createTables: false,
    })
    expect(readConfig('bank', sqlite).recorder).not.toHaveProperty('createTables')
    expect(failure({ ...sqlite, BANK_EVENTFOLD_CREATE_TABLES: '1' })).toMatch(
      /^InvalidConfiguration: BANK_EVENTFOLD_CREATE_TABLES is "1"; use true or false$/,
    )
  })

  it('accepts the sslmode values PostgreSQL knows in DATABASE_URL, and rejects others', () => {
    for (const mode of ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']) {
      const url = `postgres://u:p@h:5432/db?application_name=x&sslmode=${mode}`
      expect(readConfig('bank', { ...postgres, DATABASE_URL: url }).recorder).toMatchObject({ url })
    }
    expect(failure({ ...postgres, DATABASE_URL: 'postgres://h/db?sslmode=on' })).toMatch(
      /^InvalidConfiguration: DATABASE_URL has sslmode="on"; use disable, allow, prefer, require, verify-ca, verify-full$/,
    )
    expect(failure({ ...postgres, BANK_DATABASE_URL: 'postgres://h/db?sslmode=verify' })).toMatch(
      /^InvalidConfiguration: BANK_DATABASE_URL has sslmode="verify"/,
    )
  })

  it('creates no SQLite tables when EVENTFOLD_CREATE_TABLES=false', async () => {
    const app = application({
      name: 'bank',
      aggregates: [dogs],
      env: { EVENTFOLD_PERSISTENCE: 'sqlite', EVENTFOLD_CREATE_TABLES: 'false' },
    })
    await expect(app.get(dogs, 'fido')).rejects.toThrow(/SchemaMissing/)
    await app.close()
  })

  it('gives the PostgreSQL recorder the retry window the environment sets', async () => {
    const app = application({
      name: 'bank',
      aggregates: [dogs],
      env: {
        EVENTFOLD_PERSISTENCE: 'postgres',
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
        EVENTFOLD_PG_RETRY_FOR_MS: '0',
      },
    })
    const started = Date.now()
    await expect(app.get(dogs, 'fido')).rejects.toThrow(/ConnectionError/)
    // The default window is 10 s; with 0 the first refused connection is final.
    expect(Date.now() - started).toBeLessThan(5000)
    await app.close()
  })
})
