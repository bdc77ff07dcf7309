// eventfold/codec: the Codec port, the JSON transcoder, the schemaless JSON codec, upcasting and errors.

export type { Codec, Encoded, EventOf } from './codec.js'
export { type AddressedEvent, composeCodecs, manyCodec, type PartCodecs, type PartEvent } from './compose.js'
export { isLeft, isRight, left, match, right } from './either.js'
export {
  type DecodeError,
  type DecodeErrorCode,
  decodeError,
  ERROR_CODES,
  type ErrorCode,
  type ErrorContext,
  EventfoldError,
  encodeError,
  formatPath,
  isErrorCode,
  isEventfoldError,
} from './error.js'
export {
  eventCodec,
  type Issue,
  isRecord,
  type PayloadCodec,
  type SchemaCodecOptions,
  type TypedEvent,
} from './event-codec.js'
export { isJsonObject, type JsonObject, type JsonValue } from './json.js'
export { jsonCodec } from './json-codec.js'
export {
  jsonState,
  type StateCodec,
  type StateCodecOptions,
  stateCodec,
  type ValueCodec,
} from './state-codec.js'
export {
  type CustomType,
  createTranscoder,
  customType,
  defaultTranscoder,
  type Transcoder,
} from './transcoder.js'
export { type Upcaster, type UpcasterChains, withUpcasters } from './upcast.js'
