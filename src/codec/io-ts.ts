// eventfold/codec/io-ts: event codecs from io-ts types, with io-ts's own encode direction.

import type * as t from 'io-ts'
import type { Codec } from './codec.js'
import { left, right } from './either.js'
import {
  eventCodec,
  type Issue,
  isRecord,
  type PayloadCodec,
  type SchemaCodecOptions,
  type TaggedEvent,
} from './event-codec.js'
import { type StateCodec, type StateCodecOptions, stateCodec } from './state-codec.js'
import { defaultTranscoder } from './transcoder.js'
import { withUpcasters } from './upcast.js'

/** One io-ts type per event type, keyed by the type name; each must decode to an object. */
export type IoTsTypes = Readonly<Record<string, t.Mixed>>

/** The event union described by a record of io-ts types: `{ type: K }` beside `TypeOf` of type K. */
export type IoTsEvents<M extends IoTsTypes> = {
  [K in keyof M & string]: TaggedEvent<K, t.TypeOf<M[K]>>
}[keyof M & string]

const issueOf = (errors: t.Errors): Issue => {
  const first = errors[0]
  const path = (first?.context ?? []).map((entry) => entry.key).filter((key) => key !== '')
  const expected = first?.context[first.context.length - 1]?.type.name ?? 'a valid value'
  return { path, message: first?.message ?? `expected ${expected}, got ${JSON.stringify(first?.value)}` }
}

const payloadCodec = (type: t.Mixed): PayloadCodec => ({
  encode: (payload) =>
    type.is(payload) ? right(type.encode(payload)) : left({ path: [], message: `not a valid ${type.name}` }),
  decode: (data) => {
    const result = type.decode(data)
    if (result._tag === 'Left') return left(issueOf(result.left))
    return isRecord(result.right) ? right(result.right) : left({ path: [], message: 'expected an object' })
  },
})

/** A codec validated by io-ts: encode runs each type's `encode`, decode validates with the error path. */
export const fromIoTs = <M extends IoTsTypes>(
  types: M,
  options: SchemaCodecOptions = {},
): Codec<IoTsEvents<M>> => {
  const payloads = Object.fromEntries(Object.entries(types).map(([name, type]) => [name, payloadCodec(type)]))
  const codec = eventCodec<IoTsEvents<M>>(payloads, options.transcoder ?? defaultTranscoder)
  return options.upcasters ? withUpcasters(codec, options.upcasters) : codec
}

/** A state codec validated by an io-ts type (its `encode` runs on write), for snapshots. */
export const stateFromIoTs = <T extends t.Mixed>(
  name: string,
  type: T,
  options: StateCodecOptions = {},
): StateCodec<t.TypeOf<T>> =>
  stateCodec<t.TypeOf<T>>(
    name,
    {
      encode: (state) =>
        type.is(state) ? right(type.encode(state)) : left({ path: [], message: `not a valid ${type.name}` }),
      decode: (data) => {
        const result = type.decode(data)
        return result._tag === 'Left' ? left(issueOf(result.left)) : right(result.right)
      },
    },
    options,
  )
