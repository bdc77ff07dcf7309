// Adapting a decider to other command, event and state types, e.g. to fit a stored event union.

import { type Decider, mapDecision, toEither } from './decider.js'

/** A pair of functions that convert between two representations of the same value. */
export interface Iso<A, B> {
  /** Converts forward. */
  readonly to: (a: A) => B
  /** Converts back: `from(to(a))` equals `a`. */
  readonly from: (b: B) => A
}

/** Accepts commands of another type by converting each to the decider's own. */
export const mapCommands = <C, S, E, R, C2>(
  decider: Decider<C, S, E, R>,
  f: (command: C2) => C,
): Decider<C2, S, E, R> => ({
  initialState: decider.initialState,
  decide: (command, state) => decider.decide(f(command), state),
  evolve: decider.evolve,
  ...(decider.isTerminal ? { isTerminal: decider.isTerminal } : {}),
})

/** Emits and folds events of another type, converting both ways through `iso`. */
export const mapEvents = <C, S, E, R, E2>(
  decider: Decider<C, S, E, R>,
  iso: Iso<E, E2>,
): Decider<C, S, E2, R> => ({
  initialState: decider.initialState,
  decide: (command, state) =>
    mapDecision(toEither(decider.decide(command, state)), (events: readonly E[]) => events.map(iso.to)),
  evolve: (state, event) => decider.evolve(state, iso.from(event)),
  ...(decider.isTerminal ? { isTerminal: decider.isTerminal } : {}),
})

/** Keeps its state in another representation, converting both ways through `iso`. */
export const mapState = <C, S, E, R, S2>(
  decider: Decider<C, S, E, R>,
  iso: Iso<S, S2>,
): Decider<C, S2, E, R> => {
  const isTerminal = decider.isTerminal
  return {
    initialState: iso.to(decider.initialState),
    decide: (command, state) => decider.decide(command, iso.from(state)),
    evolve: (state, event) => iso.to(decider.evolve(iso.from(state), event)),
    ...(isTerminal ? { isTerminal: (state: S2) => isTerminal(iso.from(state)) } : {}),
  }
}

/** Maps commands, events and state at once: `mapState(mapEvents(mapCommands(d, command), event), state)`. */
export const adapt = <C, S, E, R, C2, E2, S2>(
  decider: Decider<C, S, E, R>,
  adapter: { readonly command: (command: C2) => C; readonly event: Iso<E, E2>; readonly state: Iso<S, S2> },
): Decider<C2, S2, E2, R> =>
  mapState(mapEvents(mapCommands(decider, adapter.command), adapter.event), adapter.state)
