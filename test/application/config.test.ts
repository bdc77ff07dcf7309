import { application, readConfig } from 'eventfold/application'
import { describe, expect, it } from 'vitest'
import { dogs } from '../../examples/dog-school/dog-school.js'

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
})
