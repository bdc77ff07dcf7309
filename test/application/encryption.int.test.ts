// With encryption on, the stored rows hold none of the plaintext the application wrote.

import { aggregate, application } from 'eventfold/application'
import { createKeyring, createMapper, generateKey, parseKey } from 'eventfold/store'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, expect, it } from 'vitest'
import { dog, dogEvents } from '../../examples/dog-school/dog.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

describe.skipIf(skipPostgres)('encryption at rest in PostgreSQL', () => {
  it('leaves no plaintext payload value anywhere in the tables, events or snapshots', async () => {
    const recorder = createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema() })
    const mapper = createMapper({
      keyring: createKeyring(parseKey(generateKey())),
      compression: 'gzip',
      compressAbove: 0,
    })
    const dogs = aggregate({ name: 'dog', decider: dog, codec: dogEvents, snapshotEvery: 2 })
    const app = application({ name: 'school', aggregates: [dogs], recorder, mapper })
    const secrets = ['Sir Barksalot', 'Lady Woofington', 'juggle flaming hoops', 'recite Shakespeare']
    await app.execute(dogs, 'd1', { type: 'RegisterDog', name: secrets[0] ?? '' })
    await app.execute(dogs, 'd1', { type: 'AddTrick', trick: secrets[2] ?? '' })
    await app.execute(dogs, 'd2', { type: 'RegisterDog', name: secrets[1] ?? '' })
    await app.execute(dogs, 'd2', { type: 'AddTrick', trick: secrets[3] ?? '' })
    expect((await app.get(dogs, 'd1')).state?.name).toBe(secrets[0])

    const { sql, names } = recorder
    const dump: string[] = []
    for (const table of [names.events, names.snapshots, names.tracking]) {
      const rows = await sql.unsafe(
        `select t::text as row, encode(convert_to(t::text, 'UTF8'), 'escape') as raw from ${table} t`,
      )
      for (const row of rows) dump.push(String(row.row), String(row.raw))
      const bytes = await sql
        .unsafe(`select encode(t.data, 'escape') as escaped from ${table} t`)
        .catch(() => [])
      for (const row of bytes) dump.push(String(row.escaped))
    }
    expect(dump.length).toBeGreaterThan(4)
    const text = dump.join('\n')
    for (const secret of secrets) {
      expect(text).not.toContain(secret)
      expect(text.toLowerCase()).not.toContain(Buffer.from(secret).toString('hex'))
      expect(text).not.toContain(secret.split(' ')[1] ?? secret)
    }
    expect(text).toContain('dog-d1')
    await app.close()
  })
})
