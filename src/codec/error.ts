// The error types of eventfold: thrown infrastructure errors with a stable code, and decode failures as values.

/** Where an error happened: the stream, version, notification id, event type and path involved. */
export interface ErrorContext {
  readonly streamId?: string
  readonly version?: number
  readonly notificationId?: number
  readonly type?: string
  readonly path?: readonly (string | number)[]
  readonly [key: string]: unknown
}

/** Every code an EventfoldError can carry; each is listed in the README with when it is raised. */
export const ERROR_CODES = [
  'ConcurrencyError',
  'TrackingConflict',
  'InvalidStreamId',
  'InvalidEventType',
  'InvalidVersion',
  'InvalidArgument',
  'InvalidConfiguration',
  'RecorderClosed',
  'UnknownAggregate',
  'EncodeError',
  'DecodeError',
  'UnknownEventType',
  'UnsupportedSchemaVersion',
  'UpcastError',
  'CorruptStream',
  'StreamClosed',
  'DecryptionError',
  'DecompressionError',
  'PayloadTooLarge',
  'EventErased',
  'SnapshotFailed',
  'ConnectionError',
  'LockTimeout',
  'Timeout',
  'Deadlock',
  'SerializationFailure',
  'PermissionDenied',
  'SchemaMissing',
  'SchemaTooNew',
  'DatabaseError',
  'RemoteLogError',
  'LogUnavailable',
  'RunawaySystem',
  'ProjectionFailed',
  'PolicyFailed',
] as const

/** A stable error code: one of ERROR_CODES. */
export type ErrorCode = (typeof ERROR_CODES)[number]

const codes: ReadonlySet<string> = new Set(ERROR_CODES)

/** True for a string that is one of eventfold's error codes. */
export const isErrorCode = (code: unknown): code is ErrorCode => typeof code === 'string' && codes.has(code)

/** The base of every error eventfold throws; `code` is stable and listed in the README. */
export class EventfoldError extends Error {
  override readonly name: string = 'EventfoldError'
  readonly code: ErrorCode
  readonly context: ErrorContext

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options)
    this.code = code
    this.context = context
  }
}

/** True when `error` is an EventfoldError, with the given code if one is passed. */
export const isEventfoldError = (error: unknown, code?: ErrorCode): error is EventfoldError =>
  error instanceof EventfoldError && (code === undefined || error.code === code)

/** The codes a decode failure can carry. */
export type DecodeErrorCode = 'DecodeError' | 'UnknownEventType' | 'UnsupportedSchemaVersion' | 'UpcastError'

/** A failure to turn stored data into a domain value, with a path to what was wrong. */
export interface DecodeError {
  readonly _tag: 'DecodeError'
  readonly code: DecodeErrorCode
  readonly type: string
  readonly path: readonly (string | number)[]
  readonly message: string
}

/** Builds a DecodeError value. */
export const decodeError = (
  code: DecodeErrorCode,
  type: string,
  message: string,
  path: readonly (string | number)[] = [],
): DecodeError => ({ _tag: 'DecodeError', code, type, path, message })

/** Thrown when a value cannot be encoded so that it reads back the same; raised at append time. */
export const encodeError = (message: string, context: ErrorContext): EventfoldError =>
  new EventfoldError('EncodeError', message, context)

/** Formats a path as `a.b[2].c` for messages. */
export const formatPath = (path: readonly (string | number)[]): string =>
  path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key),
    '',
  ) || '(root)'
