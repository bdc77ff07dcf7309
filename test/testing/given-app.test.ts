// Application-level given/when/then on the memory and SQLite recorders, with the dog-school's dogs.

import { aggregate } from 'eventfold/application'
import type { Codec } from 'eventfold/codec'
import { createMemoryRecorder } from 'eventfold/store'
import { createSqliteRecorder } from 'eventfold/store/sqlite'
import { describe, expect, it } from 'vitest'
import { type DogEvent, dog, dogEvents } from '../../examples/dog-school/dog.js'
import { dogs } from '../../examples/dog-school/dog-school.js'
import { type AppRecorder, givenApp, type RecorderFactory } from '../../src/testing/index.js'

const registered: DogEvent = { type: 'DogRegistered', name: 'Fido' }

/** Counts the recorders a factory opens and closes. */
const counted = (factory: RecorderFactory<AppRecorder>) => {
  const count = { opened: 0, closed: 0 }
  const counting: RecorderFactory<AppRecorder> = async () => {
    const recorder = await factory()
    count.opened++
    return {
      ...recorder,
      close: async () => {
        count.closed++
        await recorder.close()
      },
    }
  }
  return { count, factory: counting }
}

describe.each([
  ['memory', createMemoryRecorder],
  ['SQLite', () => createSqliteRecorder()],
] as const)('givenApp on the %s recorder', (_name, recorder: RecorderFactory<AppRecorder>) => {
  const options = { recorder }

  it('given a registered dog, adding a trick appends it', async () => {
    await givenApp(dogs, { fido: [registered] }, options)
      .when('fido', { type: 'AddTrick', trick: 'sit' })
      .thenEvents([{ type: 'TrickAdded', trick: 'sit' }])
  })

  it('keeps the given streams apart: a trick of one dog is new to another', async () => {
    const streams = {
      fido: [registered, { type: 'TrickAdded', trick: 'sit' }],
      rex: [{ type: 'DogRegistered', name: 'Rex' }],
    } satisfies Record<string, DogEvent[]>
    await givenApp(dogs, streams, options).when('fido', { type: 'AddTrick', trick: 'sit' }).thenEvents([])
    await givenApp(dogs, streams, options)
      .when('rex', { type: 'AddTrick', trick: 'sit' })
      .thenEvents([{ type: 'TrickAdded', trick: 'sit' }])
  })

  it('rejects as the decider does, on a given stream and on a new one', async () => {
    await givenApp(dogs, { fido: [registered] }, options)
      .when('fido', { type: 'RegisterDog', name: 'Rex' })
      .thenRejects({ type: 'DogAlreadyRegistered' })
    await givenApp(dogs, {}, options)
      .when('nobody', { type: 'AddTrick', trick: 'sit' })
      .thenRejects({ type: 'DogNotRegistered' })
  })

  it('returns the outcome as a value, and opens and closes one recorder per run', async () => {
    const { count, factory } = counted(recorder)
    const scenario = givenApp(dogs, { fido: [registered] }, { recorder: factory }).when('fido', {
      type: 'AddTrick',
      trick: 'sit',
    })
    expect(await scenario.result()).toEqual({ _tag: 'Right', right: [{ type: 'TrickAdded', trick: 'sit' }] })
    await scenario.thenEvents([{ type: 'TrickAdded', trick: 'sit' }])
    expect(count).toEqual({ opened: 2, closed: 2 })
  })

  it('fails when the expectation is wrong', async () => {
    const { count, factory } = counted(recorder)
    const adding = givenApp(dogs, { fido: [registered] }, { recorder: factory }).when('fido', {
      type: 'AddTrick',
      trick: 'sit',
    })
    await expect(adding.thenEvents([{ type: 'TrickAdded', trick: 'roll over' }])).rejects.toThrow(
      /Expected values to be strictly deep-equal/,
    )
    await expect(adding.thenEvents([])).rejects.toThrow(/strictly deep-equal/)
    await expect(adding.thenRejects({ type: 'DogNotRegistered' })).rejects.toThrow(
      /expected a rejection, but the command appended \[TrickAdded \{"trick":"sit"\}\]/,
    )
    const refused = givenApp(dogs, {}, { recorder: factory }).when('fido', { type: 'AddTrick', trick: 'sit' })
    await expect(refused.thenEvents([])).rejects.toThrow(
      /expected events, but the command was rejected: DogNotRegistered$/,
    )
    await expect(refused.thenRejects({ type: 'EmptyTrick' })).rejects.toThrow(/strictly deep-equal/)
    expect(count).toEqual({ opened: 5, closed: 5 })
  })

  it('stores the given events through the codec: a codec bug shows that a decider test hides', async () => {
    // Stores tricks in capitals: the decider is right, the stored history is not.
    const shouting: Codec<DogEvent> = {
      ...dogEvents,
      encode: (event) =>
        dogEvents.encode(
          event.type === 'TrickAdded' ? { ...event, trick: event.trick.toUpperCase() } : event,
        ),
    }
    const loud = aggregate({ name: 'dog', decider: dog, codec: shouting })
    const history: DogEvent[] = [registered, { type: 'TrickAdded', trick: 'sit' }]
    // The stored "SIT" is not "sit": the trick is added again, and reads back as "SIT".
    await givenApp(loud, { fido: history }, options)
      .when('fido', { type: 'AddTrick', trick: 'sit' })
      .thenEvents([{ type: 'TrickAdded', trick: 'SIT' }])
    await expect(
      givenApp(loud, { fido: history }, options)
        .when('fido', { type: 'AddTrick', trick: 'sit' })
        .thenEvents([]),
    ).rejects.toThrow(/strictly deep-equal/)
  })

  it('refuses given events the codec cannot store, naming the stream and version', async () => {
    const nameless = { type: 'DogRegistered', name: '' } as const
    await expect(
      givenApp(dogs, { fido: [nameless] }, options)
        .when('fido', { type: 'AddTrick', trick: 'sit' })
        .result(),
    ).rejects.toThrow(/dog-fido.*version 1|version 1.*dog-fido/)
  })
})
