// Composition over named parts: one state holding each part's, commands and events labelled by part.

import type { Either } from 'fp-ts/lib/Either.js'
import { type Decider, mapDecision, toEither } from './decider.js'

type CommandOf<D> = D extends Decider<infer C, infer _S, infer _E, infer _R> ? C : never
type StateOf<D> = D extends Decider<infer _C, infer S, infer _E, infer _R> ? S : never
type EventOf<D> = D extends Decider<infer _C, infer _S, infer E, infer _R> ? E : never
type RejectionOf<D> = D extends Decider<infer _C, infer _S, infer _E, infer R> ? R : never

/** A record of deciders by part name, each seen through its own command, state, event and rejection types. */
export type Parts<P> = {
  readonly [K in keyof P]: Decider<CommandOf<P[K]>, StateOf<P[K]>, EventOf<P[K]>, RejectionOf<P[K]>>
}

type Commands<P> = {
  readonly [K in keyof P & string]: { readonly part: K; readonly command: CommandOf<P[K]> }
}
type Events<P> = { readonly [K in keyof P & string]: { readonly part: K; readonly event: EventOf<P[K]> } }

/** A command of a composed decider: the name of a part and a command of that part's own type. */
export type ComposedCommand<P> = Commands<P>[keyof P & string]

/** An event of a composed decider: the name of the part that decided it and the part's own event. */
export type ComposedEvent<P> = Events<P>[keyof P & string]

/** The state of a composed decider: each part's state under the part's name. */
export type ComposedState<P> = { readonly [K in keyof P]: StateOf<P[K]> }

/** A rejection of a composed decider: any part's rejection. */
export type ComposedRejection<P> = RejectionOf<P[keyof P]>

/**
 * Composes deciders named by the keys of `parts` into one, e.g. `compose({ cart, payment })`: a
 * command `{ part: 'cart', command }` is decided by `cart` against `state.cart`, and its events come
 * out as `{ part: 'cart', event }` (store them with `composeCodecs` from eventfold/codec).
 * Laws: a command or event of part K changes `state[K]` and no other part's state; a part's
 * rejection is the composed decision's rejection; `evolve` replays each part as the part would alone.
 * `isTerminal` exists when every part has one and holds when every part's does: a stream whose
 * state is terminal refuses every command, so it may end only when no part can accept one.
 * A command or event naming no part (possible only from untyped callers) throws a TypeError.
 */
export const compose = <P extends Parts<P>>(
  parts: P,
): Decider<ComposedCommand<P>, ComposedState<P>, ComposedEvent<P>, ComposedRejection<P>> => {
  const typed: Parts<P> = parts
  const isPart = (name: string): name is keyof P & string => Object.hasOwn(parts, name)
  const names = Object.keys(parts).filter(isPart)
  // The one assertion: each entry is [name, parts[name].initialState], so the record holds every
  // part's own initial state under its name, which Object.fromEntries cannot express in types.
  const initialState = Object.fromEntries(
    names.map((name) => [name, typed[name].initialState]),
  ) as ComposedState<P>

  const decidePart = <K extends keyof P & string>(
    { part, command }: Commands<P>[K],
    state: ComposedState<P>,
  ): Either<ComposedRejection<P>, readonly ComposedEvent<P>[]> =>
    mapDecision(toEither(typed[part].decide(command, state[part])), (events) =>
      events.map((event): Events<P>[K] => ({ part, event })),
    )

  const evolvePart = <K extends keyof P & string>(
    state: ComposedState<P>,
    { part, event }: Events<P>[K],
  ): ComposedState<P> => ({ ...state, [part]: typed[part].evolve(state[part], event) })

  const terminal = names.every((name) => typed[name].isTerminal !== undefined)
  const isTerminal = (state: ComposedState<P>): boolean =>
    names.every((name) => typed[name].isTerminal?.(state[name]) ?? false)

  // Typed callers cannot name another part; untyped ones (JSON from outside) get a clear error.
  const known = (part: string): void => {
    if (!isPart(part)) throw new TypeError(`compose: no part named ${JSON.stringify(part)}`)
  }

  return {
    initialState,
    decide: (command, state) => {
      known(command.part)
      return decidePart(command, state)
    },
    evolve: (state, event) => {
      known(event.part)
      return evolvePart(state, event)
    },
    ...(terminal && names.length > 0 ? { isTerminal } : {}),
  }
}
