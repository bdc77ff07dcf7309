import { aggregate, application, type LogEntry } from 'eventfold/application'
import { createProjection } from 'eventfold/runners'
import { createKeyring, createMapper, generateKey, parseKey } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { dog, dogEvents } from '../../examples/dog-school/dog.js'

const dogs = aggregate({ name: 'dog', decider: dog, codec: dogEvents, subjectOf: (id) => id })
const mapper = createMapper({ keyring: createKeyring(parseKey(generateKey())) })

/** A read model: how many tricks each dog knows, and how many entries were erased. */
const tricksPerDog = {
  initialState: { tricks: {} as Readonly<Record<string, number>>, erased: 0 },
  evolve: (state: { tricks: Readonly<Record<string, number>>; erased: number }, entry: LogEntry) => {
    if (entry._tag === 'Erased') return { ...state, erased: state.erased + 1 }
    const event = entry.event as { type: string }
    if (event.type !== 'TrickAdded') return state
    const id = entry.notification.streamId
    return { ...state, tricks: { ...state.tricks, [id]: (state.tricks[id] ?? 0) + 1 } }
  },
}

describe('projections', () => {
  it('fold the log into a read model, catch up from scratch, and rebuild past erased events', async () => {
    const app = application({ name: 'school', aggregates: [dogs], mapper })
    await app.execute(dogs, 'fido', { type: 'RegisterDog', name: 'Fido' })
    await app.execute(dogs, 'fido', { type: 'AddTrick', trick: 'sit' })
    await app.execute(dogs, 'rex', { type: 'RegisterDog', name: 'Rex' })
    const projection = createProjection(app, tricksPerDog, { batchSize: 2 })
    expect(await projection.catchUp()).toBe(3)
    expect(projection.current()).toEqual({ state: { tricks: { 'dog-fido': 1 }, erased: 0 }, position: 3 })
    await app.execute(dogs, 'rex', { type: 'AddTrick', trick: 'beg' })
    expect(await projection.catchUp()).toBe(1)
    expect(projection.current().state.tricks).toEqual({ 'dog-fido': 1, 'dog-rex': 1 })

    await app.erase('fido')
    const rebuilt = createProjection(app, tricksPerDog)
    await rebuilt.catchUp()
    expect(rebuilt.current()).toEqual({ state: { tricks: { 'dog-rex': 1 }, erased: 2 }, position: 4 })
  })

  it('follow new commits while running', async () => {
    const app = application({ name: 'school', aggregates: [dogs], mapper })
    const projection = createProjection(app, tricksPerDog)
    const stop = new AbortController()
    const running = projection.run(stop.signal, { pollMs: 600_000 })
    await app.execute(dogs, 'fido', { type: 'RegisterDog', name: 'Fido' })
    await app.execute(dogs, 'fido', { type: 'AddTrick', trick: 'sit' })
    for (let i = 0; i < 1000 && projection.current().position < 2; i++)
      await new Promise((r) => setTimeout(r, 5))
    stop.abort()
    await running
    expect(projection.current()).toEqual({ state: { tricks: { 'dog-fido': 1 }, erased: 0 }, position: 2 })
  })
})
