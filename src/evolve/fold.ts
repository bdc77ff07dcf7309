// Folding events into state: the one place where history becomes a value.

/** A pure transition from a state and an event to the next state. */
export type Evolve<S, E> = (state: S, event: E) => S

/**
 * Applies `evolve` to every event in order, starting from `initial`.
 * Law: fold(evolve, s, [...a, ...b]) = fold(evolve, fold(evolve, s, a), b).
 */
export const fold = <S, E>(evolve: Evolve<S, E>, initial: S, events: Iterable<E>): S => {
  let state = initial
  for (const event of events) state = evolve(state, event)
  return state
}
