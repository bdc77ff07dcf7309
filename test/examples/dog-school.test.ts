import type { Codec } from 'eventfold/codec'
import fc from 'fast-check'
import { isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { type DogCommand, type DogEvent, dog, dogEvents } from '../../examples/dog-school/dog.js'
import { createDogSchool } from '../../examples/dog-school/dog-school.js'
import {
  checkCodecRoundTrip,
  checkIdempotent,
  checkInvariant,
  checkNoMutation,
  given,
} from '../../src/testing/index.js'

describe('the dog-school scenario', () => {
  it('registers Fido, teaches two tricks, and logs three notifications', async () => {
    const school = createDogSchool()
    const registered = await school.registerDog('Fido')
    if (!isRight(registered)) throw new Error('registration rejected')
    const dogId = registered.right
    expect(isRight(await school.addTrick(dogId, 'roll over'))).toBe(true)
    expect(isRight(await school.addTrick(dogId, 'fetch ball'))).toBe(true)

    expect(await school.getDog(dogId)).toEqual({ name: 'Fido', tricks: ['roll over', 'fetch ball'] })
    const notifications = await school.app.log.select(1, 10)
    expect(notifications.map((n) => n.id)).toEqual([1, 2, 3])
    expect(notifications.map((n) => n.type)).toEqual(['DogRegistered', 'TrickAdded', 'TrickAdded'])
    expect(notifications.map((n) => n.version)).toEqual([1, 2, 3])
    await school.close()
  })

  it('rejects a trick for a dog that was never registered, as a value', async () => {
    const school = createDogSchool()
    expect(await school.addTrick('no-such-dog', 'sit')).toEqual({
      _tag: 'Left',
      left: { type: 'DogNotRegistered' },
    })
    expect(await school.getDog('no-such-dog')).toBeUndefined()
    expect(await school.app.log.maxId()).toBe(0)
  })
})

describe('the dog decider', () => {
  it('given a registered dog, adding a new trick records it', () => {
    given(dog, [{ type: 'DogRegistered', name: 'Fido' }])
      .when({ type: 'AddTrick', trick: 'sit' })
      .thenEvents([{ type: 'TrickAdded', trick: 'sit' }])
  })

  it('given a trick it knows, adding it again records nothing', () => {
    given(dog, [
      { type: 'DogRegistered', name: 'Fido' },
      { type: 'TrickAdded', trick: 'sit' },
    ])
      .when({ type: 'AddTrick', trick: 'sit' })
      .thenEvents([])
  })

  it('rejects a second registration', () => {
    given(dog, [{ type: 'DogRegistered', name: 'Fido' }])
      .when({ type: 'RegisterDog', name: 'Rex' })
      .thenRejects({ type: 'DogAlreadyRegistered' })
  })

  it('fails a then() that does not match', () => {
    expect(() =>
      given(dog, [])
        .when({ type: 'RegisterDog', name: 'Fido' })
        .thenEvents([{ type: 'DogRegistered', name: 'Rex' }]),
    ).toThrow()
    expect(() => given(dog, []).when({ type: 'AddTrick', trick: 'sit' }).thenEvents([])).toThrow(/rejected/)
  })

  const names = fc.constantFrom('Fido', 'Rex', '', ' ', 'Laïka 🐕')
  const tricks = fc.constantFrom('sit', 'roll over', 'fetch ball', '', 'play dead')
  const commands: fc.Arbitrary<DogCommand> = fc.oneof(
    names.map((name) => ({ type: 'RegisterDog' as const, name })),
    tricks.map((trick) => ({ type: 'AddTrick' as const, trick })),
  )

  it('keeps its invariants in every reachable state: tricks unique and non-empty, a name when registered', () => {
    checkInvariant(dog, commands, (state) => {
      if (state === null) return true
      return (
        state.name.trim() !== '' &&
        new Set(state.tricks).size === state.tricks.length &&
        state.tricks.every((t) => t.trim() !== '')
      )
    })
  })

  it('does not mutate a frozen state', () => {
    checkNoMutation(dog, commands)
  })

  it('adding a trick is idempotent', () => {
    checkIdempotent(dog, commands, (command) => command.type === 'AddTrick')
  })

  it('round-trips every event it produces through the zod codec', () => {
    checkCodecRoundTrip(dog, dogEvents, commands)
  })

  /** Adds a trick even when the dog knows it. */
  const sloppy = {
    ...dog,
    decide: (c: DogCommand, s: Parameters<typeof dog.decide>[1]) =>
      c.type === 'AddTrick' && s !== null
        ? [{ type: 'TrickAdded' as const, trick: c.trick }]
        : dog.decide(c, s),
  }

  it('the invariant check fails on a decider that breaks the invariant', () => {
    expect(() =>
      checkInvariant(
        sloppy,
        commands,
        (state) => state === null || new Set(state.tricks).size === state.tricks.length,
      ),
    ).toThrow(/^checkInvariant failed: the invariant does not hold after AddTrick \{"trick":"[^"]*"\}\n/)
  })

  it('the idempotency check fails on a decider that adds a trick it knows', () => {
    expect(() => checkIdempotent(sloppy, commands, (command) => command.type === 'AddTrick')).toThrow(
      /^checkIdempotent failed: AddTrick \{"trick":"[^"]*"\} yields events when decided again\n/,
    )
  })

  it('the codec check fails on a codec that loses a trick', () => {
    const forgetful: Codec<DogEvent> = {
      ...dogEvents,
      encode: (event) => dogEvents.encode(event.type === 'TrickAdded' ? { ...event, trick: 'sit' } : event),
    }
    expect(() => checkCodecRoundTrip(dog, forgetful, commands)).toThrow(
      /^checkCodecRoundTrip failed: TrickAdded \{"trick":"[^"]*"\} decodes as TrickAdded \{"trick":"sit"\}\n/,
    )
  })

  it('the no-mutation check fails on a decider that mutates its state', () => {
    const mutating = {
      ...dog,
      evolve: (s: Parameters<typeof dog.evolve>[0], e: Parameters<typeof dog.evolve>[1]) => {
        if (s !== null && e.type === 'TrickAdded') {
          ;(s.tricks as string[]).push(e.trick)
          return s
        }
        return dog.evolve(s, e)
      },
    }
    expect(() => checkNoMutation(mutating, commands)).toThrow(
      /^checkNoMutation failed: evolve threw on a frozen state or event .*\n {2}after commands: \[.*RegisterDog .*\n {2}state: \{"name":"[^"]+","tricks":\[.*\n {2}command: AddTrick \{"trick":"[^"]*"\}\n/,
    )
  })
})
