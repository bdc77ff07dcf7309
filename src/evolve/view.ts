// An evolve-only projection: a read model built by folding events, with no commands.

import { fold } from './fold.js'

/** A projection of events into a state, with no decisions of its own. */
export interface View<S, E> {
  readonly initialState: S
  /** The read model after `event`. Pure. */
  evolve(state: S, event: E): S
}

/** Folds `events` from the view's initial state. */
export const project = <S, E>(view: View<S, E>, events: Iterable<E>): S =>
  fold((state: S, event: E) => view.evolve(state, event), view.initialState, events)

/** Builds a view from its two parts. */
export const view = <S, E>(initialState: S, evolve: (state: S, event: E) => S): View<S, E> => ({
  initialState,
  evolve,
})
