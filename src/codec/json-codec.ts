// The codec for users without schemas: events stored as transcoded JSON, not validated on read.

import type { Codec } from './codec.js'
import { left, right } from './either.js'
import { eventCodec, isRecord, type PayloadCodec, type TypedEvent } from './event-codec.js'
import { defaultTranscoder, type Transcoder } from './transcoder.js'

const plain: PayloadCodec = {
  encode: right,
  decode: (data) => (isRecord(data) ? right(data) : left({ path: [], message: 'expected an object' })),
}

/**
 * A codec that stores the listed event types as JSON through the transcoder (so Date, bigint, Map…
 * read back exactly). The record of types must name every member of E: `{ DogRegistered: true, … }`.
 */
export const jsonCodec = <E extends TypedEvent>(
  types: { readonly [K in E['type']]: true },
  transcoder: Transcoder = defaultTranscoder,
): Codec<E> => eventCodec<E>(Object.fromEntries(Object.keys(types).map((type) => [type, plain])), transcoder)
