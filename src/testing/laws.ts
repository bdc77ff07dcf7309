// Property-based laws for deciders and codecs, over states reached by replaying generated commands
// through `decide` (never by inventing events): invariants, no mutation, idempotency, codec round trip.

import { deepStrictEqual } from 'node:assert/strict'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import type { Codec } from '../codec/index.js'
import { type Decider, toEither } from '../decide/index.js'

/** A state reached from the initial state, with the commands tried and the events they produced. */
export interface Reached<C, S, E> {
  readonly commands: readonly C[]
  readonly events: readonly E[]
  readonly state: S
}

/** How many runs and how long a history each law check uses. */
export interface LawOptions {
  readonly numRuns?: number
  readonly maxCommands?: number
  readonly seed?: number
}

/** Replays commands through the decider, skipping rejected ones, and returns where it got to. */
export const replay = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  commands: readonly C[],
): Reached<C, S, E> => {
  let state = decider.initialState
  const events: E[] = []
  for (const command of commands) {
    const decision = toEither(decider.decide(command, state))
    if (decision._tag === 'Left') continue
    for (const event of decision.right) {
      state = decider.evolve(state, event)
      events.push(event)
    }
  }
  return { commands, events, state }
}

/** An arbitrary of reachable states: random command sequences replayed through `decide`. */
export const reachable = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  commands: fc.Arbitrary<C>,
  maxCommands = 30,
): fc.Arbitrary<Reached<C, S, E>> =>
  fc.array(commands, { maxLength: maxCommands }).map((sequence) => replay(decider, sequence))

const parameters = (options: LawOptions): fc.Parameters<unknown> => ({
  numRuns: options.numRuns ?? 200,
  ...(options.seed === undefined ? {} : { seed: options.seed }),
})

/** Freezes a value and everything reachable from it (Map and Set contents are checked by comparison). */
export const deepFreeze = <T>(value: T): T => {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  Object.freeze(value)
  if (value instanceof Map) for (const entry of value) deepFreeze(entry)
  else if (value instanceof Set) for (const v of value) deepFreeze(v)
  else if (!ArrayBuffer.isView(value)) for (const v of Object.values(value)) deepFreeze(v)
  return value
}

/** Law: the invariant holds in every reachable state (return false or throw to fail). */
export const checkInvariant = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  commands: fc.Arbitrary<C>,
  invariant: (state: S) => boolean | undefined,
  options: LawOptions = {},
): void =>
  fc.assert(
    fc.property(reachable(decider, commands, options.maxCommands), ({ state }) => invariant(state) !== false),
    parameters(options),
  )

/** Law: `decide` and `evolve` leave a frozen state, command and events untouched. */
export const checkNoMutation = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  commands: fc.Arbitrary<C>,
  options: LawOptions = {},
): void =>
  fc.assert(
    fc.property(reachable(decider, commands, options.maxCommands), commands, ({ state }, command) => {
      const before = structuredClone(state)
      const decision = toEither(decider.decide(deepFreeze(command), deepFreeze(state)))
      if (decision._tag === 'Right') {
        let next = state
        for (const event of decision.right) next = decider.evolve(deepFreeze(next), deepFreeze(event))
      }
      return isDeepStrictEqual(state, before)
    }),
    parameters(options),
  )

/** Law: an idempotent command, once accepted, yields no events when decided again. */
export const checkIdempotent = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  commands: fc.Arbitrary<C>,
  isIdempotent: (command: C) => boolean,
  options: LawOptions = {},
): void =>
  fc.assert(
    fc.property(reachable(decider, commands, options.maxCommands), commands, ({ state }, command) => {
      fc.pre(isIdempotent(command))
      const first = toEither(decider.decide(command, state))
      if (first._tag === 'Left') return true
      const after = first.right.reduce((s: S, e: E) => decider.evolve(s, e), state)
      const again = toEither(decider.decide(command, after))
      return again._tag === 'Right' && again.right.length === 0
    }),
    parameters(options),
  )

/** Law: every event a reachable history produces round-trips through the codec: decode(encode(e)) = right(e). */
export const checkCodecRoundTrip = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  codec: Codec<E>,
  commands: fc.Arbitrary<C>,
  options: LawOptions = {},
): void =>
  fc.assert(
    fc.property(reachable(decider, commands, options.maxCommands), ({ events }) => {
      for (const event of events) {
        const encoded = JSON.parse(JSON.stringify(codec.encode(event)))
        deepStrictEqual(codec.decode(encoded), { _tag: 'Right', right: event })
      }
    }),
    parameters(options),
  )
