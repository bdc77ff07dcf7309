// Reaching states: commands replayed through `decide` from a copy of the initial state (never the
// user's own object), step by step, for the laws to check and for property tests of their own.

import fc from 'fast-check'
import type { Either } from 'fp-ts/lib/Either.js'
import { left, right } from '../codec/index.js'
import { type Decider, toEither } from '../decide/index.js'
import { type Failure, failure, type Scene, show, textOf } from './law-report.js'

/** A state reached from the initial state, with the commands tried and the events they produced. */
export interface Reached<C, S, E> {
  readonly commands: readonly C[]
  readonly events: readonly E[]
  readonly state: S
}

/** A deep copy keeping prototypes, Dates, Maps, Sets, typed arrays and cycles; functions are shared. */
export const deepCopy = <T>(value: T): T => copyOf(value, new Map()) as T

const copyOf = (value: unknown, seen: Map<object, unknown>): unknown => {
  if (typeof value !== 'object' || value === null) return value
  if (seen.has(value)) return seen.get(value)
  const again = (v: unknown): unknown => copyOf(v, seen)
  if (value instanceof Date) return new Date(value.getTime())
  if (ArrayBuffer.isView(value))
    return Object.setPrototypeOf(structuredClone(value), Object.getPrototypeOf(value))
  if (value instanceof Map) {
    const map = new Map<unknown, unknown>()
    seen.set(value, map)
    for (const [k, v] of value) map.set(again(k), again(v))
    return map
  }
  if (value instanceof Set) {
    const set = new Set<unknown>()
    seen.set(value, set)
    for (const v of value) set.add(again(v))
    return set
  }
  const out: object = Array.isArray(value)
    ? new Array(value.length)
    : Object.create(Object.getPrototypeOf(value))
  seen.set(value, out)
  for (const key of Reflect.ownKeys(value)) {
    const property = Object.getOwnPropertyDescriptor(value, key)
    if (!property || (Array.isArray(value) && key === 'length')) continue
    if ('value' in property) property.value = again(property.value)
    Object.defineProperty(out, key, property)
  }
  return out
}

/** Replays commands through the decider from a copy of its initial state, skipping rejected ones. */
export const replay = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  commands: readonly C[],
): Reached<C, S, E> => {
  let state = deepCopy(decider.initialState)
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

/** An accepted command of a replay: the commands before it, the state it met, its events, the state after. */
export interface Step<C, S, E> extends Scene {
  readonly command: C
  readonly events: readonly E[]
  readonly next: S
}

/** Replays commands like `replay`, but stops at the first step `visit` faults or that throws. */
export const walk = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  commands: readonly C[],
  visit: (step: Step<C, S, E>) => Failure | undefined = () => undefined,
): Either<Failure, Reached<C, S, E>> => {
  let state = deepCopy(decider.initialState)
  const events: E[] = []
  for (const [i, command] of commands.entries()) {
    const scene = { history: commands.slice(0, i), state: show(state), command }
    let decided: readonly E[] | undefined
    let next = state
    try {
      const decision = toEither(decider.decide(command, state))
      if (decision._tag === 'Left') continue
      decided = decision.right
      for (const event of decided) next = decider.evolve(next, event)
    } catch (error) {
      const where = decided === undefined ? 'decide' : 'evolve'
      return left(
        failure(
          `${where} threw ${textOf(error)}`,
          { ...scene, ...(decided ? { events: decided } : {}) },
          [],
          error,
        ),
      )
    }
    const fault = visit({ ...scene, events: decided, next })
    if (fault) return left(fault)
    events.push(...decided)
    state = next
  }
  return right({ commands, events, state })
}
