// Given / when / then for deciders: example-based tests that read like the domain's own sentences.

import { deepStrictEqual, fail } from 'node:assert/strict'
import type { Either } from 'fp-ts/lib/Either.js'
import { type Decider, toEither } from '../decide/index.js'
import { fold } from '../evolve/index.js'

/** The outcome of `when`, with assertions on it; each assertion throws an AssertionError on mismatch. */
export interface Outcome<S, E, R> {
  /** The decision, normalised to an Either. */
  readonly result: Either<R, readonly E[]>
  /** The state before the command: the given history folded from the initial state. */
  readonly state: S
  /** Asserts that the command was accepted with exactly these events. */
  thenEvents(expected: readonly E[]): void
  /** Asserts that the command was rejected with exactly this reason. */
  thenRejects(expected: R): void
}

/** Starts a scenario from a history of events; `when(command)` decides against their folded state. */
export const given = <C, S, E, R>(decider: Decider<C, S, E, R>, history: readonly E[] = []) => ({
  /** Decides `command` against the history's folded state: the outcome, to assert on. */
  when: (command: C): Outcome<S, E, R> => {
    const state = fold((s: S, e: E) => decider.evolve(s, e), decider.initialState, history)
    const result = toEither(decider.decide(command, state))
    return {
      result,
      state,
      thenEvents: (expected) => {
        if (result._tag === 'Left')
          fail(`expected events, but the command was rejected: ${JSON.stringify(result.left)}`)
        deepStrictEqual(result.right, expected)
      },
      thenRejects: (expected) => {
        if (result._tag === 'Right')
          fail(`expected a rejection, but the command produced ${JSON.stringify(result.right)}`)
        deepStrictEqual(result.left, expected)
      },
    }
  },
})
