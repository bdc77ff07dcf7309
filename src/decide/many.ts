// Many instances of one decider inside one state, each addressed by an id.

import { type Decider, mapDecision, toEither } from './decider.js'
import type { Addressed } from './tagged.js'

/**
 * Lifts a decider to a map of instances: a command addressed to an id is decided against that
 * instance's state (its initial state if absent), and its events are addressed to the same id.
 * Law: a command addressed to one id leaves every other id's state unchanged.
 */
export const many = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
): Decider<Addressed<C>, ReadonlyMap<string, S>, Addressed<E>, R> => {
  const stateOf = (states: ReadonlyMap<string, S>, id: string): S => states.get(id) ?? decider.initialState
  const isTerminal = decider.isTerminal
  return {
    initialState: new Map<string, S>(),
    decide: ({ id, value }, states) =>
      mapDecision(toEither(decider.decide(value, stateOf(states, id))), (events: readonly E[]) =>
        events.map((event) => ({ id, value: event })),
      ),
    evolve: (states, { id, value }) => new Map(states).set(id, decider.evolve(stateOf(states, id), value)),
    ...(isTerminal
      ? { isTerminal: (states) => states.size > 0 && [...states.values()].every(isTerminal) }
      : {}),
  }
}
