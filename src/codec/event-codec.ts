// Builds a Codec from one payload codec per event type: the shared engine of the zod, io-ts and JSON codecs.

import type { Either } from 'fp-ts/lib/Either.js'
import type { Codec, Encoded } from './codec.js'
import { left, right } from './either.js'
import { type DecodeError, decodeError, encodeError, formatPath, isEventfoldError } from './error.js'
import type { JsonValue } from './json.js'
import { defaultTranscoder, type Transcoder } from './transcoder.js'
import type { UpcasterChains } from './upcast.js'

/** Something wrong in a payload, and where. */
export interface Issue {
  readonly path: readonly (string | number)[]
  readonly message: string
}

/** Encodes and validates the payload (the event without its `type`) of one event type. */
export interface PayloadCodec {
  /** Checks and converts an event's payload to what is stored. */
  readonly encode: (payload: Readonly<Record<string, unknown>>) => Either<Issue, unknown>
  /** Validates stored data and rebuilds the payload. */
  readonly decode: (data: unknown) => Either<Issue, Readonly<Record<string, unknown>>>
}

/** Options shared by the schema codecs (zod, io-ts). */
export interface SchemaCodecOptions {
  readonly upcasters?: UpcasterChains
  readonly transcoder?: Transcoder
}

/** An event as the codecs see it: a `type` tag and the payload beside it. */
export interface TypedEvent {
  readonly type: string
}

/**
 * The event of type K with payload P: `type` beside P's properties. An index signature of P that
 * `type` would not satisfy (zod's `z.object({})` is `Record<string, never>`) is left out.
 */
export type TaggedEvent<K extends string, P> = P extends unknown
  ? { readonly type: K } & {
      [Key in keyof P as string extends Key ? (K extends P[Key] ? Key : never) : Key]: P[Key]
    }
  : never

/**
 * Creates a codec that routes each event by its `type` to that type's payload codec, storing
 * non-JSON values through the transcoder. Types not listed are UnknownEventType, both ways.
 */
export const eventCodec = <E extends TypedEvent>(
  payloads: Readonly<Record<string, PayloadCodec>>,
  transcoder: Transcoder = defaultTranscoder,
): Codec<E> => {
  const known = new Map(Object.entries(payloads))
  return {
    types: [...known.keys()],
    encode: (event: E): Encoded => {
      const { type, ...payload } = event
      const codec = known.get(type)
      if (!codec) throw encodeError(`unknown event type "${type}"`, { type })
      const encoded = codec.encode(payload)
      if (encoded._tag === 'Left') {
        const { path, message } = encoded.left
        throw encodeError(`${type} at ${formatPath(path)}: ${message}`, { type, path })
      }
      try {
        return { type, schemaVersion: 1, data: transcoder.encode(encoded.right) }
      } catch (error) {
        if (isEventfoldError(error))
          throw encodeError(`${type}: ${error.message}`, { ...error.context, type })
        throw error
      }
    },
    decode: ({ type, data }) => {
      const codec = known.get(type)
      if (!codec) return left(decodeError('UnknownEventType', type, `unknown event type "${type}"`))
      const payload = decodeValue(transcoder, type, data, codec.decode)
      // The payload codec registered under `type` validated the payload, so this is E's member for `type`.
      return payload._tag === 'Left' ? payload : right(withType(payload.right, type) as unknown as E)
    },
  }
}

/**
 * The payload's own enumerable string-keyed properties, then `type` (the stored type wins over a
 * payload key of that name): what `{ ...payload, type }` made, less symbol keys (stored JSON has
 * none), without its cost — V8 gives an object cloned by a spread a map of its own, so adding a key
 * to it built a new map for every event read (~20× the time of this copy).
 */
const withType = (payload: Readonly<Record<string, unknown>>, type: string): Record<string, unknown> => {
  const event: Record<string, unknown> = {}
  for (const key in payload) {
    if (!Object.hasOwn(payload, key)) continue
    if (key === '__proto__')
      Object.defineProperty(event, key, {
        value: payload[key],
        enumerable: true,
        writable: true,
        configurable: true,
      })
    else event[key] = payload[key]
  }
  event.type = type
  return event
}

/** Transcodes stored data back to values and validates them; every failure is a DecodeError with its path. */
export const decodeValue = <V>(
  transcoder: Transcoder,
  type: string,
  data: JsonValue,
  validate: (raw: unknown) => Either<Issue, V>,
): Either<DecodeError, V> => {
  let raw: unknown
  try {
    raw = transcoder.decode(data)
  } catch (error) {
    if (!isEventfoldError(error)) throw error
    return left(decodeError('DecodeError', type, error.message, error.context.path ?? []))
  }
  const value = validate(raw)
  if (value._tag === 'Right') return value
  const { path, message } = value.left
  return left(decodeError('DecodeError', type, `${type} at ${formatPath(path)}: ${message}`, path))
}

/** True for a non-null, non-array object. */
export const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
