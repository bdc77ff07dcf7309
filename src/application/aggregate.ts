// An aggregate: a decider with a name and an event codec, the unit an application stores as streams.

import type { Codec } from '../codec/index.js'
import { EventfoldError } from '../codec/index.js'
import type { Decider } from '../decide/index.js'

/** A named decider with its event codec; its streams are named `${name}-${id}`. */
export interface Aggregate<C, S, E, R = never> {
  readonly name: string
  readonly decider: Decider<C, S, E, R>
  readonly codec: Codec<E>
}

/** Any aggregate, whatever its types: what an application's list of aggregates holds. */
export type AnyAggregate = Aggregate<never, unknown, unknown, unknown>

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,62}$/

/** Checks an aggregate or application name: a letter, then letters, digits or underscores. */
export const checkName = (what: string, name: string): string => {
  if (!NAME.test(name)) {
    throw new EventfoldError(
      'InvalidConfiguration',
      `${what} name ${JSON.stringify(name)} must start with a letter and hold only letters, digits and _ (at most 63)`,
    )
  }
  return name
}

/** Declares an aggregate. The codec's types must cover every event the decider emits. */
export const aggregate = <C, S, E, R = never>(spec: Aggregate<C, S, E, R>): Aggregate<C, S, E, R> => ({
  name: checkName('aggregate', spec.name),
  decider: spec.decider,
  codec: spec.codec,
})

/** The stream that holds the events of aggregate `id`. */
export const streamIdOf = (aggregate: { readonly name: string }, id: string): string =>
  `${aggregate.name}-${id}`
