// Event metadata through an application: stored with every event of a command, readable in the
// raw log even with encryption and compression on — except the fields marked sensitive, which are
// sealed and opened only by `read` / `decode` with the key.

import { application } from 'eventfold/application'
import { createKeyring, createMapper, createMemoryRecorder, generateKey, parseKey } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { dogs } from '../../examples/dog-school/dog-school.js'

const register = { type: 'RegisterDog', name: 'Fido' } as const
const sealing = () =>
  createMapper({ keyring: createKeyring(parseKey(generateKey())), compression: 'gzip', compressAbove: 1 })

describe('event metadata in an application', () => {
  it('is stored with every event of the command and read back, plain in the raw log under encryption', async () => {
    const recorder = createMemoryRecorder()
    const app = application({ name: 'school', aggregates: [dogs], recorder, mapper: sealing() })
    const metadata = { correlationId: 'request-7', actor: 'ada', tenant: 'north' }
    await app.execute(dogs, 'fido', register, { metadata })
    expect((await recorder.selectNotifications(1, 10)).map((n) => n.metadata)).toEqual([metadata])
    expect((await app.read(1, 10)).map((e) => e.notification.metadata)).toEqual([metadata])
  })

  it('seals the fields marked sensitive: ciphertext in the log, the value in read and decode', async () => {
    const recorder = createMemoryRecorder()
    const mapper = sealing()
    const app = application({
      name: 'school',
      aggregates: [dogs],
      recorder,
      mapper,
      sensitiveMetadata: ['email'],
    })
    await app.execute(dogs, 'fido', register, { metadata: { actor: 'ada', email: 'ada@example.org' } })
    const [raw] = await recorder.selectNotifications(1, 10)
    expect(raw?.metadata?.actor).toBe('ada')
    expect(raw?.metadata?.email).toEqual({ $sealed: expect.any(String) })
    expect(JSON.stringify(raw?.metadata)).not.toContain('ada@example.org')
    const [entry] = await app.read(1, 10)
    expect(entry?.notification.metadata).toEqual({ actor: 'ada', email: 'ada@example.org' })
    expect((await app.decode(raw ? [raw] : []))[0]?.notification.metadata?.email).toBe('ada@example.org')
    // Without the key it does not open; moved to another event it does not open either.
    const stranger = application({ name: 'school', aggregates: [dogs], recorder, mapper: sealing() })
    await expect(stranger.read(1, 10)).rejects.toMatchObject({ code: 'DecryptionError' })
    if (raw) {
      const moved = { ...raw, streamId: 'dog-rex' }
      await expect(app.decode([moved])).rejects.toMatchObject({ code: 'DecryptionError' })
    }
  })

  it('takes a value shaped like a sealed field, in a field not marked sensitive, as data: the log stays readable', async () => {
    const forged = { note: { $sealed: 'x.AAAA' } }
    for (const mapper of [undefined, sealing()]) {
      const app = application({
        name: 'school',
        aggregates: [dogs],
        ...(mapper ? { mapper, sensitiveMetadata: ['email'] } : {}),
      })
      await app.execute(dogs, 'fido', register, { metadata: forged })
      expect((await app.read(1, 10))[0]?.notification.metadata).toEqual(forged)
    }
  })

  it('refuses sensitive fields without a key, and the ids that trace work as sensitive', () => {
    expect(() =>
      application({ name: 'school', aggregates: [dogs], sensitiveMetadata: ['email'], env: {} }),
    ).toThrow(/InvalidConfiguration.*EVENTFOLD_CIPHER_KEY/)
    expect(() =>
      application({
        name: 'school',
        aggregates: [dogs],
        mapper: sealing(),
        sensitiveMetadata: ['correlationId'],
      }),
    ).toThrow(/InvalidConfiguration/)
  })
})
