// The Codec port: domain events to and from their stored form { type, schemaVersion, data }.
// Event type names and payload shapes are a storage contract: change them through upcasters.

import type { Either } from 'fp-ts/lib/Either.js'
import type { DecodeError } from './error.js'
import type { JsonValue } from './json.js'

/** An event in its stored form: its type name, the schema version of `data`, and JSON data. */
export interface Encoded {
  readonly type: string
  readonly schemaVersion: number
  readonly data: JsonValue
}

/**
 * Converts events to stored form and back, validating on the way in.
 * Law: for every event e, decode(encode(e)) = right(e).
 * `encode` and `decode` are function-typed properties, not methods, so that the compiler checks
 * them strictly: a Codec<A> is not a Codec<A | B>, and a codec missing an event type is refused.
 */
export interface Codec<E> {
  /** The event type names this codec knows; any other type decodes to UnknownEventType. */
  readonly types: readonly string[]
  /** Throws an EventfoldError with code EncodeError when `event` cannot be stored faithfully. */
  readonly encode: (event: E) => Encoded
  /** Validates and rebuilds an event; a DecodeError (with the path of what was wrong) on the left. */
  readonly decode: (encoded: Encoded) => Either<DecodeError, E>
}

/** The event type of a codec. */
export type EventOf<C> = C extends Codec<infer E> ? E : never
