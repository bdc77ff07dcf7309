// An aggregate: a decider with a name and an event codec, the unit an application stores as streams.

import type { Either } from 'fp-ts/lib/Either.js'
import type { Codec, DecodeError, Encoded, StateCodec } from '../codec/index.js'
import { EventfoldError, isEventfoldError } from '../codec/index.js'
import type { Decider } from '../decide/index.js'

/** A named decider with its event codec; its streams are named `${name}-${id}`. */
export interface Aggregate<C, S, E, R = never> {
  readonly name: string
  readonly decider: Decider<C, S, E, R>
  /**
   * The event codec, which `aggregate()` checks covers exactly the decider's events. Held here with
   * `encode` as a method (checked bivariantly), so that any aggregate fits an application's list.
   */
  readonly codec: {
    readonly types: readonly string[]
    /** Encodes one of the aggregate's events to its stored form. */
    encode(event: E): Encoded
    /** Validates and rebuilds one of the aggregate's events from its stored form. */
    decode(encoded: Encoded): Either<DecodeError, E>
  }
  /** Write a snapshot whenever a stream's version crosses a multiple of this (overrides the environment). */
  readonly snapshotEvery?: number
  /** How snapshots store the state (default: JSON through the transcoder, unvalidated). */
  readonly stateCodec?: StateCodec<S>
  /**
   * Crypto-shredding: the data subject an aggregate's events belong to (say, `(id) => id` for one
   * per stream, or the person the stream is about). Its events and snapshots are then encrypted
   * with that subject's own data key, and `app.erase(subject)` makes them unreadable for ever.
   */
  readonly subjectOf?: (id: string) => string
}

/** An aggregate whose name is known to the compiler, as `aggregate()` returns it. */
export type Named<G, N extends string> = G & { readonly name: N }

/** The events of an aggregate. */
export type EventOfAggregate<G> = G extends {
  readonly codec: {
    /** Rebuilds an event (the type sought) from its stored form. */
    decode(encoded: Encoded): Either<DecodeError, infer E>
  }
}
  ? E
  : never

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

const isFunction = (value: unknown): boolean => typeof value === 'function'

/**
 * Declares an aggregate; its codec must encode and decode exactly the decider's events (a codec
 * missing one of them does not compile), and a missing codec or decider is InvalidConfiguration.
 */
export const aggregate = <const N extends string, C, S, E, R = never>(
  spec: Omit<Aggregate<C, S, E, R>, 'codec' | 'name'> & {
    readonly name: N
    readonly codec: Codec<NoInfer<E>>
  },
): Named<Aggregate<C, S, E, R>, N> => {
  // Read as optional: a caller in plain JavaScript, or behind a cast, may leave any of them out.
  const { name, decider, codec, snapshotEvery }: Partial<typeof spec> = spec
  const invalid = (message: string) =>
    new EventfoldError('InvalidConfiguration', `aggregate ${JSON.stringify(name)}: ${message}`, {
      aggregate: name,
    })
  if (typeof name !== 'string') throw invalid('name must be a string')
  checkName('aggregate', name)
  if (!(decider && isFunction(decider.decide) && isFunction(decider.evolve)))
    throw invalid('decider must have decide and evolve functions')
  if (!(codec && isFunction(codec.encode) && isFunction(codec.decode) && Array.isArray(codec.types)))
    throw invalid('codec must have encode and decode functions and a list of types')
  if (snapshotEvery !== undefined && !(Number.isSafeInteger(snapshotEvery) && snapshotEvery >= 1))
    throw invalid('snapshotEvery must be a whole number >= 1')
  return { ...spec, name }
}

/** The stream that holds the events of aggregate `id`. */
export const streamIdOf = (aggregate: { readonly name: string }, id: string): string =>
  `${aggregate.name}-${id}`

/**
 * Encodes an event bound for `streamId` at `version`; an EncodeError (or any error the codec
 * throws) names the stream and version it concerns.
 */
export const encodeAt = <E>(codec: Codec<E>, event: E, streamId: string, version: number): Encoded => {
  try {
    return codec.encode(event)
  } catch (error) {
    if (!isEventfoldError(error)) throw error
    throw new EventfoldError(
      error.code,
      `${error.message.replace(/^[A-Za-z]+: /, '')} (stream "${streamId}", version ${version})`,
      { ...error.context, streamId, version },
      { cause: error },
    )
  }
}
