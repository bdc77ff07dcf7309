import { aggregate, application } from 'eventfold/application'
import {
  createKeyring,
  createMapper,
  createMemoryRecorder,
  generateKey,
  type Mapper,
  parseKey,
  type Recorder,
  reencrypt,
} from 'eventfold/store'
import { createSqliteRecorder } from 'eventfold/store/sqlite'
import { describe, expect, it } from 'vitest'
import { dog, dogEvents } from '../../examples/dog-school/dog.js'

const [keyA, keyB] = [parseKey(generateKey()), parseKey(generateKey())]
const dogs = aggregate({ name: 'dog', decider: dog, codec: dogEvents, snapshotEvery: 2 })
const shredded = aggregate({ name: 'pet', decider: dog, codec: dogEvents, subjectOf: (id) => id })
const school = (recorder: Recorder, mapper: Mapper, onWarning?: (w: { readonly code: string }) => void) =>
  application({
    name: 'school',
    aggregates: [dogs, shredded],
    recorder,
    mapper,
    cacheSize: 0,
    ...(onWarning ? { onWarning } : {}),
  })
const register = (name: string) => ({ type: 'RegisterDog', name }) as const
const trick = (t: string) => ({ type: 'AddTrick', trick: t }) as const

for (const [name, create] of [
  ['memory', createMemoryRecorder],
  ['sqlite', () => createSqliteRecorder()],
] as const) {
  describe(`the re-encryption job on the ${name} recorder`, () => {
    const history = async (recorder: Recorder) => {
      // Written before encryption was turned on, then under key A.
      const plain = application({
        name: 'school',
        aggregates: [dogs],
        recorder,
        mapper: createMapper(),
        cacheSize: 0,
      })
      await plain.execute(dogs, 'old', register('Old Yeller'))
      const withA = createMapper({ keyring: createKeyring(keyA), acceptPlaintext: true })
      const app = school(recorder, withA)
      await app.execute(dogs, 'old', trick('sit'))
      await app.execute(dogs, 'fido', register('Fido'))
      await app.execute(dogs, 'fido', trick('beg'))
      await app.execute(shredded, 'rex', register('Rex'))
    }

    it('moves every event, latest snapshot and data key to the current key; then the old key can go', async () => {
      const recorder = create()
      await history(recorder)
      const rotated = createMapper({ keyring: createKeyring(keyB, [keyA]), acceptPlaintext: true })
      expect(await reencrypt(recorder, rotated, { pageSize: 2 })).toEqual({
        events: 4,
        snapshots: 2,
        dataKeys: 1,
      })
      expect(await reencrypt(recorder, rotated)).toEqual({ events: 0, snapshots: 0, dataKeys: 0 })

      const onlyB = createMapper({ keyring: createKeyring(keyB) })
      const app = school(recorder, onlyB)
      const warnings: string[] = []
      const strict = school(recorder, onlyB, (w) => warnings.push(w.code))
      expect((await app.get(dogs, 'old')).state).toEqual({ name: 'Old Yeller', tricks: ['sit'] })
      expect((await strict.get(dogs, 'fido')).state).toEqual({ name: 'Fido', tricks: ['beg'] })
      expect((await app.get(shredded, 'rex')).state).toEqual({ name: 'Rex', tricks: [] })
      expect(warnings).toEqual([])
      expect((await app.read(1, 10)).map((e) => e._tag)).toEqual([
        'Event',
        'Event',
        'Event',
        'Event',
        'Event',
      ])
    })

    it('stops with a typed error, changing nothing it cannot read, when the old key is missing', async () => {
      const recorder = create()
      await history(recorder)
      const before = (await recorder.selectNotifications(1, 10)).map((n) => [...n.data])
      await expect(
        reencrypt(recorder, createMapper({ keyring: createKeyring(keyB), acceptPlaintext: true }), {
          pageSize: 100,
        }),
      ).rejects.toMatchObject({
        code: 'DecryptionError',
      })
      expect((await recorder.selectNotifications(1, 10)).map((n) => [...n.data])).toEqual(before)
    })
  })
}
