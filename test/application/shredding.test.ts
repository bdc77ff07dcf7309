import { aggregate, application, type LogEntry } from 'eventfold/application'
import { isEventfoldError } from 'eventfold/codec'
import {
  createKeyring,
  createMapper,
  createMemoryRecorder,
  generateKey,
  parseKey,
  type Recorder,
} from 'eventfold/store'
import { createSqliteRecorder } from 'eventfold/store/sqlite'
import { describe, expect, it } from 'vitest'
import { dog, dogEvents } from '../../examples/dog-school/dog.js'

const mapper = createMapper({ keyring: createKeyring(parseKey(generateKey())) })
const dogs = aggregate({
  name: 'dog',
  decider: dog,
  codec: dogEvents,
  snapshotEvery: 2,
  subjectOf: (id) => `owner-of-${id}`,
})
const register = (name: string) => ({ type: 'RegisterDog', name }) as const
const trick = (t: string) => ({ type: 'AddTrick', trick: t }) as const

/** A projection rebuilt from the decoded log: tricks per dog, past erased entries. */
const project = (entries: readonly LogEntry[]) => {
  const tricks = new Map<string, number>()
  let erased = 0
  for (const entry of entries) {
    if (entry._tag === 'Erased') {
      erased += 1
      continue
    }
    const event = entry.event as { type: string }
    if (event.type === 'TrickAdded')
      tricks.set(entry.notification.streamId, (tricks.get(entry.notification.streamId) ?? 0) + 1)
  }
  return { tricks: Object.fromEntries(tricks), erased }
}

for (const [name, create] of [
  ['memory', createMemoryRecorder],
  ['sqlite', () => createSqliteRecorder()],
] as const) {
  describe(`crypto-shredding on the ${name} recorder`, () => {
    const setUp = async (recorder: Recorder) => {
      const app = application({ name: 'school', aggregates: [dogs], recorder, mapper })
      await app.execute(dogs, 'fido', register('Fido'))
      await app.execute(dogs, 'fido', trick('sit'))
      await app.execute(dogs, 'rex', register('Rex'))
      await app.execute(dogs, 'rex', trick('beg'))
      await app.execute(dogs, 'rex', trick('roll'))
      return app
    }

    it('encrypts each subject’s events and snapshots with its own key, stored wrapped', async () => {
      const recorder = create()
      await setUp(recorder)
      const log = await recorder.selectNotifications(1, 10)
      expect(log.every((n) => n.data[0] === 0x03)).toBe(true)
      expect((await recorder.selectSnapshot('dog-fido'))?.data[0]).toBe(0x03)
      const keys = await recorder.selectDataKeys(['owner-of-fido', 'owner-of-rex'])
      expect([...keys.values()].map((k) => k[0])).toEqual([0x02, 0x02])
    })

    it('erasing a subject makes its data unreadable with a typed error, while everything else reads on', async () => {
      const recorder = create()
      const app = await setUp(recorder)
      await app.erase('owner-of-fido')
      const error = await app.get(dogs, 'fido').catch((e: unknown) => e)
      expect(isEventfoldError(error, 'EventErased')).toBe(true)
      expect(error).toMatchObject({ context: { streamId: 'dog-fido', subject: 'owner-of-fido' } })
      expect((await app.get(dogs, 'rex')).state).toEqual({ name: 'Rex', tricks: ['beg', 'roll'] })
      await expect(app.execute(dogs, 'fido', trick('beg'))).rejects.toMatchObject({ code: 'EventErased' })

      const elsewhere = application({ name: 'school', aggregates: [dogs], recorder, mapper })
      await expect(elsewhere.get(dogs, 'fido', { version: 1 })).rejects.toMatchObject({ code: 'EventErased' })
    })

    it('lets projections be rebuilt past erased events, which are marked, never skipped', async () => {
      const recorder = create()
      const app = await setUp(recorder)
      expect(project(await app.read(1, 100))).toEqual({ tricks: { 'dog-fido': 1, 'dog-rex': 2 }, erased: 0 })
      await app.erase('owner-of-fido')
      const entries = await app.read(1, 100)
      expect(entries.map((e) => e._tag)).toEqual(['Erased', 'Erased', 'Event', 'Event', 'Event'])
      expect(project(entries)).toEqual({ tricks: { 'dog-rex': 2 }, erased: 2 })
    })

    it('gives a subject that comes back a new key: new data reads, the erased data stays erased', async () => {
      const recorder = create()
      const perOwner = aggregate({ name: 'dog', decider: dog, codec: dogEvents, subjectOf: () => 'ada' })
      const app = application({ name: 'school', aggregates: [perOwner], recorder, mapper })
      await app.execute(perOwner, 'fido', register('Fido'))
      await app.erase('ada')
      await app.execute(perOwner, 'rex', register('Rex'))
      expect((await app.get(perOwner, 'rex')).state?.name).toBe('Rex')
      await expect(app.get(perOwner, 'fido')).rejects.toMatchObject({ code: 'EventErased' })
      expect((await app.read(1, 10)).map((e) => e._tag)).toEqual(['Erased', 'Event'])
    })
  })
}

describe('crypto-shredding configuration', () => {
  it('needs encryption', () => {
    expect(() =>
      application({
        name: 'school',
        aggregates: [dogs],
        recorder: createMemoryRecorder(),
        mapper: createMapper(),
      }),
    ).toThrow(/needs encryption/)
  })
})
