// The product of two deciders: one state holding both, commands and events routed by tag.

import { type Decider, type Decision, mapDecision, toEither } from './decider.js'
import { type Sum, toLeft, toRight } from './tagged.js'

/** The state of a combined decider: each part's state side by side. */
export interface Pair<A, B> {
  readonly left: A
  readonly right: B
}

const tagAll =
  <E, T>(tag: (e: E) => T) =>
  (events: readonly E[]): readonly T[] =>
    events.map(tag)

/**
 * Combines two deciders into one whose commands and events are tagged `left` or `right`.
 * Law: a tagged command changes only its own part of the state. Nest calls for more than two.
 */
export const combine = <C1, S1, E1, R1, C2, S2, E2, R2>(
  left: Decider<C1, S1, E1, R1>,
  right: Decider<C2, S2, E2, R2>,
): Decider<Sum<C1, C2>, Pair<S1, S2>, Sum<E1, E2>, R1 | R2> => ({
  initialState: { left: left.initialState, right: right.initialState },
  decide: (command, state): Decision<Sum<E1, E2>, R1 | R2> => {
    switch (command._tag) {
      case 'left':
        return mapDecision(toEither(left.decide(command.value, state.left)), tagAll(toLeft<E1>))
      case 'right':
        return mapDecision(toEither(right.decide(command.value, state.right)), tagAll(toRight<E2>))
    }
  },
  evolve: (state, event) => {
    switch (event._tag) {
      case 'left':
        return { left: left.evolve(state.left, event.value), right: state.right }
      case 'right':
        return { left: state.left, right: right.evolve(state.right, event.value) }
    }
  },
  isTerminal: (state) =>
    (left.isTerminal?.(state.left) ?? false) && (right.isTerminal?.(state.right) ?? false),
})
