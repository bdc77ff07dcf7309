// The decider: an aggregate as three plain values — decide, evolve and an initial state.

import type { Either } from 'fp-ts/lib/Either.js'

// fp-ts Either values built by hand (fp-ts's runtime costs a cold start 11–13 ms); same shape.
const left = <R>(reason: R): Either<R, never> => ({ _tag: 'Left', left: reason })
const right = <A>(value: A): Either<never, A> => ({ _tag: 'Right', right: value })

/** Applies `f` to the events of an accepted decision; a rejection passes through. */
export const mapDecision = <E, R, E2>(
  decision: Either<R, readonly E[]>,
  f: (events: readonly E[]) => readonly E2[],
): Either<R, readonly E2[]> => (decision._tag === 'Left' ? decision : right(f(decision.right)))

/** What `decide` returns: the new events, or a domain rejection on the left. */
export type Decision<E, R = never> = readonly E[] | Either<R, readonly E[]>

/**
 * An aggregate as pure functions. Laws: `decide` and `evolve` do not mutate their arguments,
 * and every state reachable by folding decided events satisfies the domain's invariants.
 */
export interface Decider<C, S, E, R = never> {
  /** What happens when `command` meets `state`: the new events, or a rejection on the left. Pure. */
  decide(command: C, state: S): Decision<E, R>
  /** The state after `event`. Pure; it never fails: events are facts. */
  evolve(state: S, event: E): S
  readonly initialState: S
  /** True for a final state: no command is decided on it any more (StreamClosed). */
  isTerminal?(state: S): boolean
}

/** True when a decision is a plain list of events rather than an Either. */
export const isEvents = <E, R>(decision: Decision<E, R>): decision is readonly E[] => Array.isArray(decision)

/** Normalises a decision to an Either, so callers handle one shape. */
export const toEither = <E, R>(decision: Decision<E, R>): Either<R, readonly E[]> =>
  isEvents(decision) ? right(decision) : decision

/** A decision that accepts the command with these events. */
export const accept = <E, R = never>(...events: readonly E[]): Decision<E, R> => right(events)

/** A decision that rejects the command with a domain reason. */
export const reject = <R, E = never>(reason: R): Decision<E, R> => left(reason)

/** Runs `decide` and folds its events: the state after the command, or the rejection. */
export const step = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  state: S,
  command: C,
): Either<R, { readonly events: readonly E[]; readonly state: S }> => {
  const decision = toEither(decider.decide(command, state))
  if (decision._tag === 'Left') return decision
  let next = state
  for (const event of decision.right) next = decider.evolve(next, event)
  return right({ events: decision.right, state: next })
}
