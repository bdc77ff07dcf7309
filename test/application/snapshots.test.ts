import { aggregate, application } from 'eventfold/application'
import { type EventfoldError, isEventfoldError } from 'eventfold/codec'
import { stateFromZod } from 'eventfold/codec/zod'
import { createKeyring, createMapper, createMemoryRecorder, generateKey, parseKey } from 'eventfold/store'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { type DogCommand, dog, dogEvents } from '../../examples/dog-school/dog.js'

const dogState = z.object({ name: z.string(), tricks: z.array(z.string()) }).nullable()
const register = { type: 'RegisterDog', name: 'Fido' } as const
const trick = (t: string) => ({ type: 'AddTrick', trick: t }) as const
const snapshotted = (every: number, extra: object = {}) =>
  aggregate({ name: 'dog', decider: dog, codec: dogEvents, snapshotEvery: every, ...extra })

describe('snapshots', () => {
  it('are written when a stream crosses each multiple of snapshotEvery, after the append commits', async () => {
    const recorder = createMemoryRecorder()
    const dogs = snapshotted(3)
    const app = application({ name: 'school', aggregates: [dogs], recorder })
    await app.execute(dogs, 'd1', register)
    for (const t of ['a', 'b', 'c', 'd', 'e', 'f']) await app.execute(dogs, 'd1', trick(t))
    expect((await recorder.selectSnapshot('dog-d1'))?.version).toBe(6)
    expect((await recorder.selectSnapshot('dog-d1', 5))?.version).toBe(3)
    expect(await recorder.selectSnapshot('dog-d1', 2)).toBeUndefined()
  })

  it('are what get() starts from: only the events after the snapshot are folded', async () => {
    const recorder = createMemoryRecorder()
    const dogs = snapshotted(100, { stateCodec: stateFromZod('DogState', dogState) })
    const writer = application({ name: 'school', aggregates: [dogs], recorder, cacheSize: 0 })
    await writer.execute(dogs, 'd1', register)
    await writer.execute(dogs, 'd1', trick('sit'))
    await writer.execute(dogs, 'd1', trick('beg'))
    // A snapshot at version 2 that says something replay would not: proof that get() used it.
    const mapper = createMapper()
    await recorder.insertSnapshot(
      mapper.toStored(
        'dog-d1',
        2,
        dogs.stateCodec?.encode({ name: 'From snapshot', tricks: ['x'] }) as never,
        { kind: 'snapshot' },
      ),
    )
    const reader = application({ name: 'school', aggregates: [dogs], recorder, cacheSize: 0 })
    expect(await reader.get(dogs, 'd1')).toEqual({
      state: { name: 'From snapshot', tricks: ['x', 'beg'] },
      version: 3,
    })
    expect(await reader.get(dogs, 'd1', { version: 1 })).toEqual({
      state: { name: 'Fido', tricks: [] },
      version: 1,
    })
  })

  it('law: for any history and any snapshot points, state from snapshot + tail = state from full replay', async () => {
    const commands: fc.Arbitrary<DogCommand> = fc.oneof(
      fc.constantFrom('Fido', 'Rex').map((name) => ({ type: 'RegisterDog' as const, name })),
      fc
        .constantFrom('sit', 'beg', 'roll', 'fetch', 'play dead')
        .map((t) => ({ type: 'AddTrick' as const, trick: t })),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(commands, { maxLength: 25 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(30),
        async (history, every, at) => {
          const recorder = createMemoryRecorder()
          const dogs = snapshotted(every)
          const app = application({ name: 'school', aggregates: [dogs], recorder, cacheSize: 0 })
          for (const command of history) await app.execute(dogs, 'd', command)
          const plain = aggregate({ name: 'dog', decider: dog, codec: dogEvents })
          const replay = application({ name: 'school', aggregates: [plain], recorder, cacheSize: 0 })
          const { version } = await replay.get(plain, 'd')
          const cut = Math.min(at, version)
          await app.takeSnapshot(dogs, 'd', cut)
          expect(await app.get(dogs, 'd')).toEqual(await replay.get(plain, 'd'))
          for (let v = 0; v <= version; v++)
            expect(await app.get(dogs, 'd', { version: v })).toEqual(
              await replay.get(plain, 'd', { version: v }),
            )
        },
      ),
      { numRuns: 60 },
    )
  })

  it('are versioned: an older snapshot is upcast, one the code cannot upcast is replayed past, a newer one is an error', async () => {
    const recorder = createMemoryRecorder()
    const plain = aggregate({ name: 'dog', decider: dog, codec: dogEvents })
    const writer = application({ name: 'school', aggregates: [plain], recorder, cacheSize: 0 })
    await writer.execute(plain, 'd1', register)
    await writer.execute(plain, 'd1', trick('sit'))
    // A snapshot written by an older release, whose state schema (v1) named the dog `dogName`.
    const mapper = createMapper()
    const stored = (schemaVersion: number, data: object) =>
      mapper.toStored(
        'dog-d1',
        2,
        { type: 'DogState', schemaVersion, data: data as never },
        { kind: 'snapshot' },
      )
    await recorder.insertSnapshot(stored(1, { dogName: 'Fido' }))

    const warnings: EventfoldError[] = []
    const onWarning = (w: EventfoldError) => warnings.push(w)
    const upcast = (data: unknown) => ({ name: (data as { dogName: string }).dogName, tricks: ['(from v1)'] })
    const v2 = snapshotted(2, { stateCodec: stateFromZod('DogState', dogState, { upcasters: [upcast] }) })
    const reader = application({ name: 'school', aggregates: [v2], recorder, cacheSize: 0, onWarning })
    expect((await reader.get(v2, 'd1')).state).toEqual({ name: 'Fido', tricks: ['(from v1)'] })

    const failing = () => {
      throw new Error('cannot')
    }
    const broken = snapshotted(2, {
      stateCodec: stateFromZod('DogState', dogState, { upcasters: [failing] }),
    })
    const replaying = application({ name: 'school', aggregates: [broken], recorder, cacheSize: 0, onWarning })
    expect((await replaying.get(broken, 'd1')).state).toEqual({ name: 'Fido', tricks: ['sit'] })
    expect(warnings.map((w) => w.code)).toEqual(['UpcastError'])

    await recorder.insertSnapshot(stored(3, { name: 'Fido', tricks: [], owner: 'Ada' }))
    const error = await reader.get(v2, 'd1').catch((e: unknown) => e)
    expect(isEventfoldError(error, 'UnsupportedSchemaVersion')).toBe(true)
    expect(error).toMatchObject({ context: { streamId: 'dog-d1', version: 2 } })
  })

  it('are encrypted with the events; an altered one is reported and replayed past, never applied', async () => {
    const recorder = createMemoryRecorder()
    const mapper = createMapper({ keyring: createKeyring(parseKey(generateKey())) })
    const dogs = snapshotted(2)
    const warnings: string[] = []
    const app = application({
      name: 'school',
      aggregates: [dogs],
      recorder,
      mapper,
      cacheSize: 0,
      onWarning: (w) => warnings.push(w.code),
    })
    await app.execute(dogs, 'd1', register)
    await app.execute(dogs, 'd1', trick('sit'))
    const snapshot = await recorder.selectSnapshot('dog-d1')
    expect(snapshot?.data[0]).toBe(0x02)
    expect(Buffer.from(snapshot?.data ?? []).toString('latin1')).not.toContain('Fido')
    const data = Uint8Array.from(snapshot?.data ?? [])
    data[data.length - 1] = (data[data.length - 1] as number) ^ 1
    await recorder.insertSnapshot({ ...(snapshot as NonNullable<typeof snapshot>), data })
    expect((await app.get(dogs, 'd1')).state).toEqual({ name: 'Fido', tricks: ['sit'] })
    expect(warnings).toEqual(['DecryptionError'])
  })

  it('refuses snapshotEvery below 1 and a recorder without snapshots', () => {
    expect(() => snapshotted(0)).toThrow(/snapshotEvery/)
    const { insertSnapshot: _i, selectSnapshot: _s, ...bare } = createMemoryRecorder()
    expect(() => application({ name: 'school', aggregates: [snapshotted(5)], recorder: bare })).toThrow(
      /does not store snapshots/,
    )
  })
})
