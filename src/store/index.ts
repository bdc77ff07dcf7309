// eventfold/store: recorder ports, stored records, the mapper, typed errors and the memory recorder.

export { EventfoldError, isEventfoldError } from '../codec/index.js'
export { createKeyring, generateKey, type Keyring, keyIdOf, open, parseKey, seal } from './cipher.js'
export { type Compression, compress, decompress, isCompression } from './compression.js'
export {
  concurrencyError,
  invalidArgument,
  isConcurrencyError,
  isRolledBack,
  isTrackingConflict,
  isTransient,
  recorderClosed,
  schemaMissing,
  schemaTooNew,
  trackingConflict,
} from './errors.js'
export { checkEventId, newEventId } from './event-id.js'
export {
  carrierOf,
  type Instrumentation,
  noInstrumentation,
  type SpanOptions,
  type TelemetryAttributes,
  type TelemetrySpan,
  TRACE_FIELDS,
  type TraceCarrier,
} from './instrumentation.js'
export { lazyRecorder } from './lazy-recorder.js'
export { createLocalLeases, grantsLeases, type Lease, type LeaseRecorder } from './lease.js'
export {
  createMapper,
  type DataKeys,
  type Mapper,
  type MapperOptions,
  type RecordKind,
  type RecordOptions,
  toDomain,
} from './mapper.js'
export { MAX_DOCUMENTS } from './memory-projections.js'
export { createMemoryRecorder, type MemoryRecorder } from './memory-recorder.js'
export {
  checkKey,
  checkProjectionBatch,
  checkProjectionVersion,
  type DeadLetter,
  type DocumentChange,
  type DocumentQuery,
  keepsProjections,
  MAX_KEY_BYTES,
  type ProjectionBatch,
  type ProjectionRecorder,
  type ProjectionStatus,
  type ProjectionVersion,
  type SqlProjectionRecorder,
  type StoredDocument,
} from './projections.js'
export type {
  AggregateRecorder,
  ApplicationRecorder,
  DataKeyRecorder,
  MaintenanceRecorder,
  ProcessRecorder,
  Recorder,
  SnapshotRecorder,
  Unsubscribe,
} from './recorder.js'
export type {
  EventMetadata,
  InsertOptions,
  Notification,
  SelectEventsOptions,
  SelectNotificationsOptions,
  StoredEvent,
  Tracking,
} from './records.js'
export { type ReencryptReport, reencrypt } from './reencrypt.js'
export { isSealedField, type SealedField } from './sealed-fields.js'
export {
  checkCount,
  checkEventType,
  checkMetadata,
  checkStoredEvent,
  checkStreamId,
  MAX_METADATA_BYTES,
  MAX_STREAM_ID_BYTES,
  MAX_TYPE_BYTES,
} from './validate.js'
