// A state together with the stream version it reflects; the unit that snapshots store.

import type { Evolve } from './fold.js'

/** A state and the version of the last event folded into it (0 for a new stream). */
export interface Versioned<S> {
  readonly state: S
  readonly version: number
}

/** The starting point of every stream: the initial state at version 0. */
export const initial = <S>(state: S): Versioned<S> => ({ state, version: 0 })

/**
 * Folds events onto a versioned state, counting one version per event.
 * Law: advance(evolve, advance(evolve, v, a), b) = advance(evolve, v, [...a, ...b]).
 */
export const advance = <S, E>(
  evolve: Evolve<S, E>,
  from: Versioned<S>,
  events: Iterable<E>,
): Versioned<S> => {
  let { state, version } = from
  for (const event of events) {
    state = evolve(state, event)
    version += 1
  }
  return { state, version }
}
