// eventfold/codec/zod: event codecs from zod 4 object schemas, including bidirectional zod codecs.

import * as z from 'zod'
import type { Codec } from './codec.js'
import { left, right } from './either.js'
import {
  eventCodec,
  type Issue,
  type PayloadCodec,
  type SchemaCodecOptions,
  type TaggedEvent,
} from './event-codec.js'
import { type StateCodec, type StateCodecOptions, stateCodec } from './state-codec.js'
import { defaultTranscoder } from './transcoder.js'
import { withUpcasters } from './upcast.js'

/** One zod object schema per event type, keyed by the type name. */
export type ZodSchemas = Readonly<Record<string, z.ZodObject>>

/** The event union described by a record of zod schemas: `{ type: K }` beside the output of schema K. */
export type ZodEvents<M extends ZodSchemas> = {
  [K in keyof M & string]: TaggedEvent<K, z.output<M[K]>>
}[keyof M & string]

const issueOf = (error: z.ZodError): Issue => {
  const first = error.issues[0]
  return {
    path: (first?.path ?? []).map((key) => (typeof key === 'symbol' ? String(key) : key)),
    message: first?.message ?? error.message,
  }
}

const payloadCodec = (schema: z.ZodObject): PayloadCodec => ({
  encode: (payload) => {
    const result = z.safeEncode(schema, payload)
    return result.success ? right(result.data) : left(issueOf(result.error))
  },
  decode: (data) => {
    const result = schema.safeParse(data)
    return result.success ? right(result.data) : left(issueOf(result.error))
  },
})

/**
 * A codec validated by zod: encode runs the schemas' encode direction (a `z.codec` stores a Date as
 * an ISO string, say), decode parses and validates, with the path of the first issue on failure.
 */
export const fromZod = <M extends ZodSchemas>(
  schemas: M,
  options: SchemaCodecOptions = {},
): Codec<ZodEvents<M>> => {
  const payloads = Object.fromEntries(
    Object.entries(schemas).map(([type, schema]) => [type, payloadCodec(schema)]),
  )
  const codec = eventCodec<ZodEvents<M>>(payloads, options.transcoder ?? defaultTranscoder)
  return options.upcasters ? withUpcasters(codec, options.upcasters) : codec
}

/** A state codec validated by a zod schema (its encode direction runs on write), for snapshots. */
export const stateFromZod = <T extends z.ZodType>(
  name: string,
  schema: T,
  options: StateCodecOptions = {},
): StateCodec<z.output<T>> =>
  stateCodec<z.output<T>>(
    name,
    {
      encode: (state) => {
        const result = z.safeEncode(schema, state)
        return result.success ? right(result.data) : left(issueOf(result.error))
      },
      decode: (data) => {
        const result = schema.safeParse(data)
        return result.success ? right(result.data) : left(issueOf(result.error))
      },
    },
    options,
  )
