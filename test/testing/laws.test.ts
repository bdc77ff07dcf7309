// The law checks: they never touch the user's initial state, and a failing law names itself and shows
// the replayed commands, the state and the offending command and events in domain terms.

import { type Codec, decodeError, jsonCodec, left, right } from 'eventfold/codec'
import { type Decider, reject } from 'eventfold/decide'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  checkCodecRoundTrip,
  checkIdempotent,
  checkInvariant,
  checkNoMutation,
  deepFreeze,
  type LawOptions,
} from '../../src/testing/index.js'

type Command =
  | { readonly type: 'Join'; readonly who: string }
  | { readonly type: 'Leave'; readonly who: string }
type Event =
  | { readonly type: 'Joined'; readonly who: string }
  | { readonly type: 'Left'; readonly who: string }
interface Room {
  readonly people: readonly string[]
  readonly visits: ReadonlyMap<string, number>
  readonly badge: Uint8Array
}

const emptyRoom = (): Room => ({ people: [], visits: new Map(), badge: new Uint8Array([7]) })

/** A room of at most two people that counts visits; `evolve` is given to vary how it treats its state. */
const roomWith = (initialState: Room, evolve: Decider<Command, Room, Event>['evolve']) => {
  const room: Decider<Command, Room, Event, 'Full'> = {
    initialState,
    decide: (c, s) => {
      if (c.type === 'Leave') return s.people.includes(c.who) ? [{ type: 'Left', who: c.who }] : []
      if (s.people.includes(c.who)) return []
      return s.people.length >= 2 ? reject('Full') : [{ type: 'Joined', who: c.who }]
    },
    evolve,
  }
  return room
}
const pure = (s: Room, e: Event): Room =>
  e.type === 'Joined'
    ? {
        people: [...s.people, e.who],
        visits: new Map(s.visits).set(e.who, (s.visits.get(e.who) ?? 0) + 1),
        badge: s.badge,
      }
    : { ...s, people: s.people.filter((p) => p !== e.who) }
/** Pushes onto the state's own array: what a frozen state catches. */
const pushing = (s: Room, e: Event): Room => {
  if (e.type === 'Left') return pure(s, e)
  ;(s.people as string[]).push(e.who)
  return s
}
/** Writes into the state's own Map, which freezing cannot stop: what the comparison catches. */
const counting = (s: Room, e: Event): Room => {
  ;(s.visits as Map<string, number>).set(e.who, 1)
  return { ...s, people: pure(s, e).people }
}

const commands: fc.Arbitrary<Command> = fc.record({
  type: fc.constantFrom('Join' as const, 'Leave' as const),
  who: fc.constantFrom('ada', 'bob', 'cy'),
})
const events: Codec<Event> = jsonCodec<Event>({ Joined: true, Left: true })
const options: LawOptions = { numRuns: 100, seed: 42 }

/** Runs `law` and returns the message of the Error it throws. */
const messageOf = (law: () => void): string => {
  try {
    law()
  } catch (error) {
    expect(error).toBeInstanceOf(Error)
    return (error as Error).message
  }
  return expect.unreachable('the law should have failed')
}

const laws = {
  checkInvariant: (d: Decider<Command, Room, Event, 'Full'>) =>
    checkInvariant(d, commands, (s) => s.people.length <= 2, options),
  checkNoMutation: (d: Decider<Command, Room, Event, 'Full'>) => checkNoMutation(d, commands, options),
  checkIdempotent: (d: Decider<Command, Room, Event, 'Full'>) =>
    checkIdempotent(d, commands, () => true, options),
  checkCodecRoundTrip: (d: Decider<Command, Room, Event, 'Full'>) =>
    checkCodecRoundTrip(d, events, commands, options),
}

describe("the law checks leave the user's initial state alone", () => {
  it.each(Object.entries(laws))('%s neither freezes nor changes it', (_name, law) => {
    const initialState = emptyRoom()
    law(roomWith(initialState, pure))
    expect(Object.isFrozen(initialState)).toBe(false)
    expect(Object.isFrozen(initialState.people)).toBe(false)
    expect(Object.isFrozen(initialState.visits)).toBe(false)
    expect(initialState).toEqual(emptyRoom())
  })

  it.each(Object.entries(laws))('%s does not change it even when evolve mutates its state', (name, law) => {
    const initialState = emptyRoom()
    for (const evolve of [pushing, counting]) {
      const room = roomWith(initialState, evolve)
      if (name === 'checkNoMutation') expect(() => law(room)).toThrow(/^checkNoMutation failed/)
      else law(room)
    }
    expect(Object.isFrozen(initialState.people)).toBe(false)
    expect(initialState).toEqual(emptyRoom())
  })

  it('deepFreeze leaves typed arrays, which cannot be frozen, to the comparison', () => {
    const frozen = deepFreeze({ badge: new Uint8Array([1]), inner: { n: 1 } })
    expect(Object.isFrozen(frozen.inner)).toBe(true)
    expect(Object.isFrozen(frozen.badge)).toBe(false)
  })
})

describe('a failing law says which law failed, in domain terms', () => {
  it('checkInvariant names the command that broke it, the events, and the states around it', () => {
    const message = messageOf(() =>
      checkInvariant(roomWith(emptyRoom(), pure), commands, (s) => s.people.length < 2, options),
    )
    expect(message).toMatch(
      /^checkInvariant failed: the invariant does not hold after Join \{"who":"\w+"\}\n/,
    )
    expect(message).toMatch(/\n {2}after commands: \[Join \{"who":"\w+"\}\]\n/)
    expect(message).toMatch(/\n {2}state: \{"people":\["\w+"\],"visits":\{"Map":\[\["\w+",1\]\]\},/)
    expect(message).toMatch(/\n {2}command: Join \{"who":"\w+"\}\n {2}events: \[Joined \{"who":"\w+"\}\]\n/)
    expect(message).toMatch(/\n {2}state after: \{"people":\["\w+","\w+"\],/)
    expect(message).toMatch(/seed 42/)
  })

  it('checkInvariant reports an invariant that throws, and one broken by the initial state', () => {
    const throwing = messageOf(() =>
      checkInvariant(
        roomWith(emptyRoom(), pure),
        commands,
        (s) => {
          if (s.people.length > 0) throw new Error(`no room for ${s.people[0]}`)
          return true
        },
        options,
      ),
    )
    expect(throwing).toMatch(/^checkInvariant failed: the invariant threw "no room for \w+" after Join/)
    const initially = messageOf(() =>
      checkInvariant(roomWith(emptyRoom(), pure), commands, () => false, options),
    )
    expect(initially).toMatch(/^checkInvariant failed: the invariant does not hold in the initial state\n/)
    expect(initially).toMatch(/\n {2}state: \{"people":\[\],"visits":\{"Map":\[\]\},/)
  })

  it('checkNoMutation names the function that mutated and shows the state as it was before', () => {
    const message = messageOf(() => checkNoMutation(roomWith(emptyRoom(), pushing), commands, options))
    expect(message).toMatch(
      /^checkNoMutation failed: evolve threw on a frozen state or event \(did it change it\?\): /,
    )
    expect(message).toMatch(/not extensible/)
    expect(message).toMatch(/\n {2}after commands: \[\]\n {2}state: \{"people":\[\],/)
    expect(message).toMatch(/\n {2}command: Join \{"who":"\w+"\}\n {2}events: \[Joined \{"who":"\w+"\}\]/)
  })

  it('checkNoMutation catches a change inside a Map, which freezing cannot prevent', () => {
    const message = messageOf(() => checkNoMutation(roomWith(emptyRoom(), counting), commands, options))
    expect(message).toMatch(/^checkNoMutation failed: evolve changed the state or event it was given\n/)
    expect(message).toMatch(/\n {2}state: \{"people":\[\],"visits":\{"Map":\[\]\},/)
    expect(message).toMatch(/\n {2}command: Join \{"who":"\w+"\}\n {2}events: \[Joined \{"who":"\w+"\}\]/)
  })

  it('checkIdempotent shows the command, its first events and what deciding it again gave', () => {
    const forgetful = roomWith(emptyRoom(), (s, e) => (e.type === 'Joined' ? s : pure(s, e)))
    const message = messageOf(() => checkIdempotent(forgetful, commands, (c) => c.type === 'Join', options))
    expect(message).toMatch(
      /^checkIdempotent failed: Join \{"who":"\w+"\} yields events when decided again\n/,
    )
    expect(message).toMatch(/\n {2}after commands: \[\]\n {2}state: \{"people":\[\],/)
    expect(message).toMatch(/\n {2}events: \[Joined \{"who":"\w+"\}\]\n {2}again: \[Joined \{"who":"\w+"\}\]/)
  })

  it('checkCodecRoundTrip shows the event, what was stored and what came back', () => {
    const shouting: Codec<Event> = {
      ...events,
      decode: (encoded) => {
        const decoded = events.decode(encoded)
        return decoded._tag === 'Left'
          ? decoded
          : right({ ...decoded.right, who: decoded.right.who.toUpperCase() })
      },
    }
    const message = messageOf(() =>
      checkCodecRoundTrip(roomWith(emptyRoom(), pure), shouting, commands, options),
    )
    expect(message).toMatch(
      /^checkCodecRoundTrip failed: Joined \{"who":"(\w+)"\} decodes as Joined \{"who":"[A-Z]+"\}\n/,
    )
    expect(message).toMatch(/\n {2}after commands: \[\]\n/)
    expect(message).toMatch(/\n {2}command: Join \{"who":"\w+"\}\n {2}events: \[Joined \{"who":"\w+"\}\]\n/)
    expect(message).toMatch(/\n {2}stored: \{"type":"Joined","schemaVersion":1,"data":\{"who":"\w+"\}\}\n/)
  })

  it('checkCodecRoundTrip reports an event the codec refuses to decode', () => {
    const strict: Codec<Event> = {
      ...events,
      decode: () => left(decodeError('DecodeError', 'Joined', 'nope')),
    }
    const message = messageOf(() =>
      checkCodecRoundTrip(roomWith(emptyRoom(), pure), strict, commands, options),
    )
    expect(message).toMatch(/^checkCodecRoundTrip failed: Joined \{"who":"\w+"\} does not decode\n/)
    expect(message).toMatch(
      /\n {2}error: \{"_tag":"DecodeError","code":"DecodeError","type":"Joined",.*"message":"nope"\}/,
    )
  })
})
