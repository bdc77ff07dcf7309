// Codecs composed from codecs: one per named part (stored type `${part}.${type}`), and one for `many`.
// The stored type names and data shapes built here are a storage contract, as the parts' own are.

import type { Either } from 'fp-ts/lib/Either.js'
import type { Codec, Encoded } from './codec.js'
import { left, right } from './either.js'
import { type DecodeError, decodeError, EventfoldError, isEventfoldError } from './error.js'
import { isJsonObject } from './json.js'

/** One codec per part of a composed decider, keyed by the part's name: the codec of `M[K]` under K. */
export type PartCodecs<M> = { readonly [K in keyof M]: Codec<M[K]> }

type Events<M> = { readonly [K in keyof M & string]: { readonly part: K; readonly event: M[K] } }

/** An event labelled with its part, for a record `M` of each part's event type: `{ part: K, event: M[K] }`. */
export type PartEvent<M> = Events<M>[keyof M & string]

/** An event of one member of a `many` decider: the member's id and its own event. */
export interface AddressedEvent<E> {
  readonly id: string
  readonly value: E
}

// The message of a part's error, renamed to the stored type (part messages start with their type).
const renamed = (message: string, inner: string, stored: string): string =>
  message.startsWith(inner) ? `${stored}${message.slice(inner.length)}` : `${stored}: ${message}`

// Rethrows a part's EventfoldError so that it names the stored type; any other error passes as is.
const rethrown = (error: unknown, part: string): unknown => {
  if (!isEventfoldError(error)) return error
  const inner = typeof error.context.type === 'string' ? error.context.type : ''
  const stored = `${part}.${inner}`
  const message = renamed(error.message.slice(error.code.length + 2), inner, stored)
  return new EventfoldError(error.code, message, { ...error.context, type: stored }, { cause: error })
}

const withType = (error: DecodeError, inner: string, stored: string): DecodeError =>
  decodeError(error.code, stored, renamed(error.message, inner, stored), error.path)

/**
 * Composes one codec per part into the codec of the composed decider's events: `{ part, event }` is
 * stored as the part's encoding of `event` with type `${part}.${type}` (so `cart.ItemAdded`); schema
 * versions and upcasters stay the parts' own. Part names must not contain a dot.
 * Law: if every part codec round-trips its events, decode(encode(e)) = right(e) for every e.
 */
export const composeCodecs = <M>(codecs: PartCodecs<M>): Codec<PartEvent<M>> => {
  const isPart = (name: string): name is keyof M & string => Object.hasOwn(codecs, name)
  const names = Object.keys(codecs).filter(isPart)
  const dotted = names.find((name) => name.includes('.'))
  if (dotted !== undefined) {
    throw new EventfoldError('InvalidConfiguration', `part name "${dotted}" must not contain a dot`, {
      part: dotted,
    })
  }

  const encodePart = <K extends keyof M & string>({ part, event }: Events<M>[K]): Encoded => {
    let encoded: Encoded
    try {
      encoded = codecs[part].encode(event)
    } catch (error) {
      throw rethrown(error, part)
    }
    return { ...encoded, type: `${part}.${encoded.type}` }
  }

  const decodePart = <K extends keyof M & string>(
    part: K,
    inner: string,
    encoded: Encoded,
  ): Either<DecodeError, PartEvent<M>> => {
    const decoded = codecs[part].decode({ ...encoded, type: inner })
    if (decoded._tag === 'Left') return left(withType(decoded.left, inner, encoded.type))
    const event: Events<M>[K] = { part, event: decoded.right }
    return right(event)
  }

  return {
    types: names.flatMap((name) => codecs[name].types.map((type) => `${name}.${type}`)),
    encode: (event) => encodePart(event),
    decode: (encoded) => {
      const dot = encoded.type.indexOf('.')
      const part = encoded.type.slice(0, Math.max(dot, 0))
      const inner = encoded.type.slice(dot + 1)
      if (dot < 0 || !isPart(part) || !codecs[part].types.includes(inner)) {
        const message = `unknown event type "${encoded.type}"`
        return left(decodeError('UnknownEventType', encoded.type, message))
      }
      return decodePart(part, inner, encoded)
    },
  }
}

/**
 * The codec of a `many` decider's events from the codec of its member's: `{ id, value }` is stored
 * with the type and schema version of `value`'s encoding and data `{ id, data }`.
 * Law: if `codec` round-trips its events, decode(encode(e)) = right(e) for every e.
 */
export const manyCodec = <E>(codec: Codec<E>): Codec<AddressedEvent<E>> => ({
  types: codec.types,
  encode: ({ id, value }) => {
    const encoded = codec.encode(value)
    return { ...encoded, data: { id, data: encoded.data } }
  },
  decode: (encoded) => {
    const { data } = encoded
    if (!isJsonObject(data) || typeof data.id !== 'string' || data.data === undefined) {
      const message = `${encoded.type}: expected { id: string, data } in a many codec's data`
      return left(decodeError('DecodeError', encoded.type, message, ['id']))
    }
    const { id } = data
    const decoded = codec.decode({ ...encoded, data: data.data })
    if (decoded._tag === 'Left') return left({ ...decoded.left, path: ['data', ...decoded.left.path] })
    return right({ id, value: decoded.right })
  },
})
