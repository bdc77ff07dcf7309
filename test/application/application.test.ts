import { aggregate, application } from 'eventfold/application'
import { isEventfoldError, isLeft, isRight, jsonCodec, match } from 'eventfold/codec'
import { createMemoryRecorder } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { dog, dogEvents } from '../../examples/dog-school/dog.js'
import { storedEvent } from '../../src/testing/index.js'

const dogs = aggregate({ name: 'dog', decider: dog, codec: dogEvents })
const register = { type: 'RegisterDog', name: 'Fido' } as const
const trick = (name: string) => ({ type: 'AddTrick', trick: name }) as const

describe('application.execute', () => {
  it('appends the decided events and returns state, version and notification ids', async () => {
    const app = application({ name: 'school', aggregates: [dogs] })
    const first = await app.execute(dogs, 'd1', register)
    expect(first).toEqual({
      _tag: 'Right',
      right: {
        streamId: 'dog-d1',
        events: [{ type: 'DogRegistered', name: 'Fido' }],
        state: { name: 'Fido', tricks: [] },
        version: 1,
        notificationIds: [1],
      },
    })
  })

  it('returns a domain rejection as a value and records nothing', async () => {
    const app = application({ name: 'school', aggregates: [dogs] })
    expect(await app.execute(dogs, 'd1', trick('sit'))).toEqual({
      _tag: 'Left',
      left: { type: 'DogNotRegistered' },
    })
    expect(await app.log.maxId()).toBe(0)
  })

  it('records nothing for a command that decides no events', async () => {
    const app = application({ name: 'school', aggregates: [dogs] })
    await app.execute(dogs, 'd1', register)
    await app.execute(dogs, 'd1', trick('sit'))
    const again = await app.execute(dogs, 'd1', trick('sit'))
    expect(isRight(again) && again.right).toMatchObject({ events: [], version: 2, notificationIds: [] })
    expect(await app.log.maxId()).toBe(2)
  })

  it('reloads and decides again when concurrent commands conflict, losing none', async () => {
    const app = application({ name: 'school', aggregates: [dogs] })
    await app.execute(dogs, 'd1', register)
    const tricks = Array.from({ length: 20 }, (_, i) => `trick ${i}`)
    const results = await Promise.all(tricks.map((t) => app.execute(dogs, 'd1', trick(t))))
    expect(results.every(isRight)).toBe(true)
    const { state, version } = await app.get(dogs, 'd1')
    expect(version).toBe(21)
    expect([...(state?.tricks ?? [])].sort()).toEqual([...tricks].sort())
  })

  it('gives up with the ConcurrencyError after maxRetries', async () => {
    const recorder = createMemoryRecorder()
    const [a, b] = [0, 1].map(() =>
      application({ name: 'school', aggregates: [dogs], recorder, maxRetries: 0 }),
    )
    await a?.execute(dogs, 'd1', register)
    await b?.get(dogs, 'd1') // b caches version 1
    await a?.execute(dogs, 'd1', trick('a'))
    await expect(b?.execute(dogs, 'd1', trick('b'))).rejects.toMatchObject({ code: 'ConcurrencyError' })
  })

  it('runs concurrent commands for one stream in turn: they never conflict with each other', async () => {
    const app = application({ name: 'school', aggregates: [dogs], maxRetries: 0 })
    await app.execute(dogs, 'd1', register)
    const tricks = Array.from({ length: 20 }, (_, i) => `t${i}`)
    const results = await Promise.all(tricks.map((t) => app.execute(dogs, 'd1', trick(t))))
    expect(results.map((r) => r._tag === 'Right' && r.right.version)).toEqual(tricks.map((_, i) => i + 2))
    expect((await app.get(dogs, 'd1')).state?.tricks).toEqual(tricks)
  })

  it('with expectedVersion, decides only at that version and never retries a mismatch', async () => {
    const recorder = createMemoryRecorder()
    const [a, b] = [0, 1].map(() => application({ name: 'school', aggregates: [dogs], recorder }))
    await a?.execute(dogs, 'd1', register)
    const ok = await a?.execute(dogs, 'd1', trick('sit'), { expectedVersion: 1 })
    expect(ok?._tag === 'Right' && ok.right.version).toBe(2)
    await expect(a?.execute(dogs, 'd1', trick('roll'), { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'ConcurrencyError',
      context: { streamId: 'dog-d1', expectedVersion: 1, actualVersion: 2 },
    })
    // b's cache says version 1; the stream is at 2: a mismatch, found by reading, not a wrong decision.
    await b?.get(dogs, 'd1', { version: 1 })
    await expect(b?.execute(dogs, 'd1', trick('roll'), { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'ConcurrencyError',
    })
    // b's cache says version 2, as expected; a writes version 3 first: the append conflicts, not retried.
    await b?.get(dogs, 'd1')
    await a?.execute(dogs, 'd1', trick('beg'))
    await expect(b?.execute(dogs, 'd1', trick('roll'), { expectedVersion: 2 })).rejects.toMatchObject({
      code: 'ConcurrencyError',
      context: { expectedVersion: 2, actualVersion: 3 },
    })
    const fresh = await b?.execute(dogs, 'd2', register, { expectedVersion: 0 })
    expect(fresh?._tag).toBe('Right')
    expect((await a?.get(dogs, 'd1'))?.version).toBe(3)
  })

  it('confirms a rejection or an empty decision made on a cached or assumed-new state', async () => {
    const recorder = createMemoryRecorder()
    const [a, b] = [0, 1].map(() => application({ name: 'school', aggregates: [dogs], recorder }))
    await a?.get(dogs, 'fido') // a caches the new stream (version 0)
    await b?.execute(dogs, 'fido', register)
    const added = await a?.execute(dogs, 'fido', trick('sit')) // not NotRegistered: fido is registered
    expect(added?._tag === 'Right' && added.right.version).toBe(2)
    await b?.execute(dogs, 'rex', register)
    const again = await a?.execute(dogs, 'rex', register, { expectNew: true })
    expect(again).toEqual({ _tag: 'Left', left: { type: 'DogAlreadyRegistered' } })
    await a?.execute(dogs, 'rex', trick('sit'))
    await b?.get(dogs, 'rex')
    await a?.execute(dogs, 'rex', trick('roll'))
    // b's cached rex knows sit only; roll is known to the stream: an empty decision, confirmed.
    const known = await b?.execute(dogs, 'rex', trick('roll'))
    expect(known?._tag === 'Right' && known.right).toMatchObject({ events: [], version: 3 })
  })

  it('refuses an aggregate that is not part of the application, and a bad id', async () => {
    const app = application({ name: 'school', aggregates: [] })
    // @ts-expect-error the compiler knows the application holds no dog; plain JavaScript gets UnknownAggregate
    await expect(app.execute(dogs, 'd1', register)).rejects.toThrow(/UnknownAggregate/)
    const other = application({ name: 'school', aggregates: [dogs] })
    await expect(other.execute(dogs, '', register)).rejects.toThrow(/InvalidStreamId/)
    await expect(other.execute(dogs, 'x\u0000', register)).rejects.toThrow(/InvalidStreamId/)
  })

  it('names the stream and version of an event it cannot encode', async () => {
    type Noted = { type: 'Noted'; note: unknown }
    const notes = aggregate({
      name: 'note',
      codec: jsonCodec<Noted>({ Noted: true }),
      decider: {
        initialState: 0,
        decide: (note: unknown) => [{ type: 'Noted' as const, note }],
        evolve: (n: number) => n + 1,
      },
    })
    const app = application({ name: 'school', aggregates: [notes] })
    await app.execute(notes, 'n1', 'fine')
    await expect(app.execute(notes, 'n1', () => 'a function')).rejects.toMatchObject({
      code: 'EncodeError',
      context: { streamId: 'note-n1', version: 2, type: 'Noted' },
    })
  })

  it('gives results that isLeft, isRight and match take apart without fp-ts', async () => {
    const app = application({ name: 'school', aggregates: [dogs] })
    const done = await app.execute(dogs, 'd1', register)
    const refused = await app.execute(dogs, 'd1', register)
    expect([isRight(done), isLeft(done), isLeft(refused)]).toEqual([true, false, true])
    const describe = match(
      (rejection: { type: string }) => `refused: ${rejection.type}`,
      (executed: { version: number }) => `at version ${executed.version}`,
    )
    expect([describe(done), describe(refused)]).toEqual(['at version 1', 'refused: DogAlreadyRegistered'])
  })

  it('caps a read and a log select at the same page maximum, 10,000', async () => {
    const recorder = createMemoryRecorder()
    const app = application({ name: 'school', aggregates: [dogs], recorder })
    const registered = dogs.codec.encode({ type: 'DogRegistered', name: 'Rex' })
    await recorder.insertEvents(
      Array.from({ length: 10_001 }, (_, i) => ({
        ...storedEvent(`dog-${i}`, 1, 'DogRegistered'),
        data: new TextEncoder().encode(JSON.stringify(registered.data)),
      })),
    )
    expect((await app.read(1, 20_000)).length).toBe(10_000)
    expect((await app.log.select(1, 20_000)).length).toBe(10_000)
  })

  it('knows its aggregates by name: another object declared with the same name is the same aggregate', async () => {
    const app = application({ name: 'school', aggregates: [dogs] })
    const sameDogs = aggregate({ name: 'dog', decider: dog, codec: dogEvents })
    expect((await app.execute(sameDogs, 'd1', register))._tag).toBe('Right')
    expect((await app.get(dogs, 'd1')).version).toBe(1)
  })

  it('refuses bad names and duplicate aggregate names at construction', () => {
    expect(() => application({ name: 'dog school', aggregates: [] })).toThrow(/InvalidConfiguration/)
    expect(() => aggregate({ name: 'dog-x', decider: dog, codec: dogEvents })).toThrow(/InvalidConfiguration/)
    const again = aggregate({ name: 'dog', decider: dog, codec: dogEvents })
    expect(() => application({ name: 'school', aggregates: [dogs, again] })).toThrow(/unique/)
  })
})

describe('application.get', () => {
  it('gives the initial state at version 0 for a new stream, and the state at any version', async () => {
    const app = application({ name: 'school', aggregates: [dogs] })
    expect(await app.get(dogs, 'd1')).toEqual({ state: null, version: 0 })
    await app.execute(dogs, 'd1', register)
    await app.execute(dogs, 'd1', trick('sit'))
    await app.execute(dogs, 'd1', trick('beg'))
    expect(await app.get(dogs, 'd1', { version: 0 })).toEqual({ state: null, version: 0 })
    expect(await app.get(dogs, 'd1', { version: 2 })).toEqual({
      state: { name: 'Fido', tricks: ['sit'] },
      version: 2,
    })
    expect(await app.get(dogs, 'd1', { version: 99 })).toEqual({
      state: { name: 'Fido', tricks: ['sit', 'beg'] },
      version: 3,
    })
    await expect(app.get(dogs, 'd1', { version: -1 })).rejects.toThrow(/InvalidArgument/)
  })

  it('fails loudly, naming stream, version and notification id, on an event it cannot decode', async () => {
    const recorder = createMemoryRecorder()
    await recorder.insertEvents([
      storedEvent('dog-d1', 1, 'DogRegistered', { name: 'Fido' }),
      storedEvent('dog-d1', 2, 'TrickAdded', { trick: 42 }),
    ])
    const app = application({ name: 'school', aggregates: [dogs], recorder })
    const error = await app.get(dogs, 'd1').catch((e: unknown) => e)
    expect(isEventfoldError(error, 'DecodeError')).toBe(true)
    expect(error).toMatchObject({
      context: { streamId: 'dog-d1', version: 2, notificationId: 2, type: 'TrickAdded', path: ['trick'] },
    })
    await recorder.insertEvents([storedEvent('dog-d2', 1, 'DogRenamed', {})])
    await expect(app.get(dogs, 'd2')).rejects.toMatchObject({
      code: 'UnknownEventType',
      context: { streamId: 'dog-d2', version: 1 },
    })
  })

  it('refuses a stream with a gap instead of folding past it', async () => {
    const recorder = createMemoryRecorder()
    await recorder.insertEvents([
      storedEvent('dog-d1', 1, 'DogRegistered', { name: 'Fido' }),
      storedEvent('dog-d1', 3, 'TrickAdded', { trick: 'x' }),
    ])
    const app = application({ name: 'school', aggregates: [dogs], recorder })
    await expect(app.get(dogs, 'd1')).rejects.toMatchObject({
      code: 'CorruptStream',
      context: { streamId: 'dog-d1', version: 3 },
    })
  })
})

describe('the aggregate cache and expectNew', () => {
  it('get() returns the latest state even when another writer moved the stream past the cache', async () => {
    const recorder = createMemoryRecorder()
    const a = application({ name: 'school', aggregates: [dogs], recorder })
    const b = application({ name: 'school', aggregates: [dogs], recorder })
    await a.execute(dogs, 'd1', register)
    await b.execute(dogs, 'd1', trick('sit'))
    expect(await a.get(dogs, 'd1')).toEqual({ state: { name: 'Fido', tricks: ['sit'] }, version: 2 })
  })

  it('execute() from a stale cached state conflicts, reads again and decides on the real state', async () => {
    const recorder = createMemoryRecorder()
    const a = application({ name: 'school', aggregates: [dogs], recorder })
    const b = application({ name: 'school', aggregates: [dogs], recorder })
    await a.execute(dogs, 'd1', register)
    await b.execute(dogs, 'd1', trick('sit'))
    const again = await a.execute(dogs, 'd1', trick('sit'))
    expect(isRight(again) && again.right).toMatchObject({ events: [], version: 2 })
    const added = await a.execute(dogs, 'd1', trick('beg'))
    expect(isRight(added) && added.right).toMatchObject({ version: 3, notificationIds: [3] })
  })

  it('expectNew on a stream that exists decides again on its real state', async () => {
    const app = application({ name: 'school', aggregates: [dogs], cacheSize: 0 })
    await app.execute(dogs, 'd1', register)
    expect(await app.execute(dogs, 'd1', register, { expectNew: true })).toEqual({
      _tag: 'Left',
      left: { type: 'DogAlreadyRegistered' },
    })
    expect((await app.log.select(1, 10)).length).toBe(1)
  })

  it('works with the cache off', async () => {
    const app = application({ name: 'school', aggregates: [dogs], cacheSize: 0 })
    await app.execute(dogs, 'd1', register)
    await app.execute(dogs, 'd1', trick('sit'))
    expect((await app.get(dogs, 'd1')).version).toBe(2)
  })
})
