import { type Application, aggregate, application, type EntryOf } from 'eventfold/application'
import { jsonState } from 'eventfold/codec'
import { type DocumentProjection, documentProjection } from 'eventfold/process'
import { createDocumentProjection, documentReader } from 'eventfold/runners'
import { createMemoryRecorder, isEventfoldError, type MemoryRecorder } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { dogs } from '../../examples/dog-school/dog-school.js'
import { dogsByTrick } from '../../examples/dog-school/dogs-by-trick.js'

const school = () => application({ name: 'school', aggregates: [dogs], recorder: createMemoryRecorder() })
type Entry = EntryOf<typeof dogs>

const teach = async (app: Application<typeof dogs>, dog: string, ...tricks: string[]) => {
  await app.execute(dogs, dog, { type: 'RegisterDog', name: dog })
  let last = 0
  for (const trick of tricks) {
    const done = await app.execute(dogs, dog, { type: 'AddTrick', trick })
    if (done._tag === 'Right') last = done.right.notificationIds.at(-1) ?? last
  }
  return last
}

/** Counts entries per dog: a document per dog with the number of entries applied to it. */
const counting = (
  version = 1,
  fail?: (entry: Entry) => boolean,
): DocumentProjection<{ n: number; erased: number }, Entry> =>
  documentProjection({
    name: 'counts',
    version,
    codec: jsonState<{ n: number; erased: number }>('Count'),
    key: (entry: Entry) => entry.notification.streamId,
    evolve: (document: { n: number; erased: number } | undefined, entry) => {
      if (fail?.(entry)) throw new Error('cannot apply this one')
      const current = document ?? { n: 0, erased: 0 }
      return { n: current.n + 1, erased: current.erased + (entry._tag === 'Erased' ? 1 : 0) }
    },
  })

describe('document projections (memory)', () => {
  it('dogs by trick: catch up, follow commits, find by an indexed field', async () => {
    const app = school()
    await teach(app, 'fido', 'sit', 'roll over')
    await teach(app, 'rex', 'sit')
    const projection = createDocumentProjection({ source: app, projection: dogsByTrick, batchSize: 2 })
    expect(await projection.catchUp()).toBe(5)
    expect(await projection.get('sit')).toEqual({ trick: 'sit', dogs: ['fido', 'rex'] })
    expect(await projection.get('beg')).toBeUndefined()
    expect((await projection.list()).map((d) => d.key)).toEqual(['roll over', 'sit'])
    expect((await projection.find('dogCount', 2)).map((d) => d.key)).toEqual(['sit'])

    projection.start({ pollMs: 20 })
    const last = await teach(app, 'max', 'beg', 'sit')
    await projection.waitFor(last)
    expect(await projection.get('sit')).toEqual({ trick: 'sit', dogs: ['fido', 'rex', 'max'] })
    expect(await projection.lag()).toMatchObject({ position: last, head: last, behind: 0, ready: true })
    await projection.stop()
    // A reader that does not run the projection reads the same documents.
    expect(await documentReader(app.recorder as never, dogsByTrick).get('beg')).toEqual({
      trick: 'beg',
      dogs: ['max'],
    })
  })

  it('resumes from its stored position: nothing is applied twice', async () => {
    const app = school()
    await teach(app, 'fido', 'sit')
    await createDocumentProjection({ source: app, projection: counting() }).catchUp()
    await teach(app, 'rex', 'sit')
    const again = createDocumentProjection({ source: app, projection: counting() })
    expect(await again.catchUp()).toBe(2)
    expect(await again.get('dog-fido')).toEqual({ n: 2, erased: 0 })
    expect(await again.get('dog-rex')).toEqual({ n: 2, erased: 0 })
  })

  it('waitFor resolves only once a slow projection has applied the id; Timeout otherwise', async () => {
    const app = school()
    const slow = createDocumentProjection({
      source: app,
      projection: counting(),
      batchSize: 1,
    })
    const last = await teach(app, 'fido', 'sit', 'beg')
    await expect(slow.waitFor(last, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'Timeout' })
    let applied = false
    const waiting = slow.waitFor(last, { timeoutMs: 5000 }).then(() => {
      applied = true
    })
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(applied).toBe(false)
    await slow.catchUp()
    await waiting
    expect(applied).toBe(true)
    expect((await slow.lag()).position).toBeGreaterThanOrEqual(last)
  })

  it('an entry it cannot apply stops it with ProjectionFailed, its position before the entry', async () => {
    const app = school()
    await teach(app, 'fido', 'sit')
    await teach(app, 'rex', 'sit')
    const failOnRex = (entry: Entry) =>
      entry.notification.streamId === 'dog-rex' && entry.notification.version === 2
    const projection = createDocumentProjection({ source: app, projection: counting(1, failOnRex) })
    const error = await projection.catchUp().catch((e: unknown) => e)
    expect(isEventfoldError(error, 'ProjectionFailed')).toBe(true)
    expect((error as { context: object }).context).toMatchObject({
      projection: 'counts',
      notificationId: 4,
      streamId: 'dog-rex',
      version: 2,
    })
    expect((await projection.lag()).position).toBe(3)
    expect(await projection.get('dog-rex')).toEqual({ n: 1, erased: 0 })
    // It stays stopped at the same entry: never skipped.
    await expect(projection.catchUp()).rejects.toMatchObject({ code: 'ProjectionFailed' })
    expect((await projection.lag()).position).toBe(3)
  })

  it("with the 'dead-letter' policy, it keeps the entry aside and goes on", async () => {
    const app = school()
    await teach(app, 'fido', 'sit', 'beg')
    const projection = createDocumentProjection({
      source: app,
      projection: counting(1, (entry) => entry.notification.id === 2),
      poison: 'dead-letter',
    })
    await projection.catchUp()
    expect(await projection.get('dog-fido')).toEqual({ n: 2, erased: 0 })
    expect(await projection.deadLetters()).toMatchObject([
      {
        notificationId: 2,
        streamId: 'dog-fido',
        version: 2,
        code: 'Error',
        message: 'cannot apply this one',
      },
    ])
    expect((await projection.lag()).position).toBe(3)
  })

  it('an event that cannot be decoded is a poison entry too', async () => {
    const recorder = createMemoryRecorder()
    const app = application({ name: 'school', aggregates: [dogs], recorder })
    await teach(app, 'fido', 'sit')
    const bad = new TextEncoder().encode(JSON.stringify({ trick: 42 }))
    await recorder.insertEvents([
      { streamId: 'dog-fido', version: 3, type: 'TrickAdded', schemaVersion: 1, data: bad },
    ])
    await teach(app, 'rex')
    const stops = createDocumentProjection({ source: app, projection: counting() })
    await expect(stops.catchUp()).rejects.toMatchObject({
      code: 'ProjectionFailed',
      context: { notificationId: 3, streamId: 'dog-fido', version: 3 },
    })
    const goesOn = createDocumentProjection({ source: app, projection: counting(2), poison: 'dead-letter' })
    await goesOn.catchUp()
    expect(await goesOn.deadLetters()).toMatchObject([{ notificationId: 3, code: 'DecodeError' }])
    expect((await goesOn.lag()).position).toBe(4)
  })

  it('a new version builds side by side; the old one serves until the new one has caught up', async () => {
    const app = school()
    await teach(app, 'fido', 'sit')
    const v1 = createDocumentProjection({ source: app, projection: counting(1) })
    await v1.catchUp()
    const v2 = createDocumentProjection({ source: app, projection: counting(2), batchSize: 1 })
    // Not run yet: readers of v2 read v1.
    await app.execute(dogs, 'fido', { type: 'AddTrick', trick: 'beg' })
    await v1.catchUp()
    expect(await v2.get('dog-fido')).toEqual({ n: 3, erased: 0 })
    await v2.catchUp()
    expect((await v2.lag()).ready).toBe(true)
    expect(await v2.get('dog-fido')).toEqual({ n: 3, erased: 0 })
    expect(await documentReader(app.recorder as never, counting(2)).get('dog-fido')).toEqual({
      n: 3,
      erased: 0,
    })
  })

  it('two instances with a lease: one works, the other waits and takes over when it stops', async () => {
    const app = school()
    const first = createDocumentProjection({ source: app, projection: counting() })
    const second = createDocumentProjection({ source: app, projection: counting() })
    first.start({ lease: true, pollMs: 10 })
    second.start({ lease: true, pollMs: 10 })
    const last = await teach(app, 'fido', 'sit')
    await first.waitFor(last)
    await first.stop()
    const later = await teach(app, 'rex', 'sit')
    await second.waitFor(later)
    await second.stop()
    expect(await second.get('dog-fido')).toEqual({ n: 2, erased: 0 })
    expect(await second.get('dog-rex')).toEqual({ n: 2, erased: 0 })
  })

  it('erased entries reach the projection', async () => {
    const recorder = createMemoryRecorder()
    const { createKeyring, createMapper, generateKey, parseKey } = await import('eventfold/store')
    const shredding = aggregate({
      name: 'dog',
      decider: dogs.decider,
      codec: dogs.codec,
      subjectOf: (id) => id,
    })
    const mapper = createMapper({ keyring: createKeyring(parseKey(generateKey())) })
    const app = application({ name: 'school', aggregates: [shredding], recorder, mapper })
    await app.execute(shredding, 'fido', { type: 'RegisterDog', name: 'Fido' })
    await app.execute(shredding, 'fido', { type: 'AddTrick', trick: 'sit' })
    await app.erase('fido')
    const projection = createDocumentProjection({ source: app, projection: counting() as never })
    await projection.catchUp()
    expect(await projection.get('dog-fido')).toEqual({ n: 2, erased: 2 })
  })
})

describe('document projections on a store the environment chooses', () => {
  it('run on the application recorder built from EVENTFOLD_PERSISTENCE=sqlite (created on first use)', async () => {
    const app = application({ name: 'school', aggregates: [dogs], env: { EVENTFOLD_PERSISTENCE: 'sqlite' } })
    await teach(app, 'fido', 'sit')
    const projection = createDocumentProjection({ source: app, projection: dogsByTrick })
    expect(await projection.catchUp()).toBe(2)
    expect(await projection.get('sit')).toEqual({ trick: 'sit', dogs: ['fido'] })
    await app.close()
  })
})

describe('document projections refuse what they cannot store, at the entry', () => {
  it('an empty key is a poison entry named by its notification; with dead letters it is kept aside', async () => {
    const app = school()
    await teach(app, 'fido', 'sit', 'beg')
    const emptyKey = documentProjection({
      name: 'tricks',
      codec: jsonState<number>('Count'),
      key: (entry: Entry) =>
        entry._tag === 'Event' && entry.event.type === 'TrickAdded' ? entry.event.trick.slice(3) : 'dogs',
      evolve: (n: number | undefined) => (n ?? 0) + 1,
    })
    await expect(
      createDocumentProjection({ source: app, projection: emptyKey }).catchUp(),
    ).rejects.toMatchObject({
      code: 'ProjectionFailed',
      context: { projection: 'tricks', notificationId: 2, streamId: 'dog-fido', version: 2 },
    })
    const tolerant = createDocumentProjection({
      source: app,
      projection: { ...emptyKey, version: 2 },
      poison: 'dead-letter',
    })
    await tolerant.catchUp()
    expect(await tolerant.deadLetters()).toMatchObject([
      { notificationId: 2, code: 'InvalidArgument', message: 'document key must be a non-empty string' },
      { notificationId: 3, code: 'InvalidArgument' },
    ])
    expect(await tolerant.get('dogs')).toBe(1)
  })

  it('find by a field that is not indexed is InvalidArgument; lag registers nothing', async () => {
    const app = school()
    const projection = createDocumentProjection({ source: app, projection: dogsByTrick })
    await expect(projection.find('nope', 1)).rejects.toMatchObject({ code: 'InvalidArgument' })
    expect(await projection.lag()).toMatchObject({ position: 0, ready: false })
    expect(await (app.recorder as MemoryRecorder).selectProjections()).toEqual([])
  })

  it('a reader of a version still building, whose documents changed shape, is told to build it first', async () => {
    const app = school()
    await teach(app, 'fido', 'sit')
    await createDocumentProjection({ source: app, projection: counting(1) }).catchUp()
    const reshaped = documentProjection({
      name: 'counts',
      version: 2,
      codec: jsonState<{ total: number }>('Total'),
      key: (entry: Entry) => entry.notification.streamId,
      evolve: (d: { total: number } | undefined) => ({ total: (d?.total ?? 0) + 1 }),
    })
    await expect(
      documentReader(app.recorder as MemoryRecorder, reshaped).get('dog-fido'),
    ).rejects.toMatchObject({
      code: 'DecodeError',
      message: expect.stringMatching(/v1 serves until v2 is ready.*build the new version/),
    })
  })
})
