// Codecs for aggregate state, used by snapshots: one named type, versioned, with upcasters.
// A state's name and shape are a storage contract, like event types: change them through upcasters.

import type { Either } from 'fp-ts/lib/Either.js'
import type { Encoded } from './codec.js'
import { left, right } from './either.js'
import { type DecodeError, decodeError, encodeError, formatPath } from './error.js'
import { decodeValue, type Issue } from './event-codec.js'
import { defaultTranscoder, type Transcoder } from './transcoder.js'
import { type Upcaster, withUpcasters } from './upcast.js'

/** Converts an aggregate's state to stored form and back. Law: decode(encode(s)) = right(s). */
export interface StateCodec<S> {
  /** The stored type name of the state (a snapshot's `type`). */
  readonly name: string
  /** Encodes a state to its stored form; EncodeError when it cannot be stored faithfully. */
  encode(state: S): Encoded
  /** Validates (and upcasts) a stored state; a DecodeError on the left. */
  decode(encoded: Encoded): Either<DecodeError, S>
}

/** Encodes and validates a state value. */
export interface ValueCodec<S> {
  /** Checks and converts a state to what is stored. */
  readonly encode: (state: S) => Either<Issue, unknown>
  /** Validates stored data and rebuilds the state. */
  readonly decode: (data: unknown) => Either<Issue, S>
}

/** Options of a state codec: upcasters from version 1 upward, and the transcoder. */
export interface StateCodecOptions {
  readonly upcasters?: readonly Upcaster[]
  readonly transcoder?: Transcoder
}

/** Builds a state codec from a value codec; the current version is the number of upcasters + 1. */
export const stateCodec = <S>(
  name: string,
  value: ValueCodec<S>,
  options: StateCodecOptions = {},
): StateCodec<S> => {
  const transcoder = options.transcoder ?? defaultTranscoder
  const base = {
    types: [name],
    encode: (state: S): Encoded => {
      const encoded = value.encode(state)
      if (encoded._tag === 'Left') {
        throw encodeError(`${name} at ${formatPath(encoded.left.path)}: ${encoded.left.message}`, {
          type: name,
        })
      }
      return { type: name, schemaVersion: 1, data: transcoder.encode(encoded.right) }
    },
    decode: ({ type, data }: Encoded): Either<DecodeError, S> => {
      if (type !== name)
        return left(decodeError('UnknownEventType', type, `expected a ${name} snapshot, got ${type}`))
      return decodeValue(transcoder, type, data, value.decode)
    },
  }
  const versioned = withUpcasters(base, { [name]: options.upcasters ?? [] })
  return { name, encode: versioned.encode, decode: versioned.decode }
}

/** A state codec for states made of plain data (and what the transcoder stores: Date, Map …), unvalidated. */
export const jsonState = <S>(name: string, options: StateCodecOptions = {}): StateCodec<S> =>
  stateCodec<S>(
    name,
    {
      encode: right,
      // Without a schema the state is trusted to be what this codec wrote: an S.
      decode: (data) => right(data as S),
    },
    options,
  )
