// The typed errors of the store layer, each with a stable code and the stream, version or id involved.

import { EventfoldError, isEventfoldError } from '../codec/index.js'

/** Thrown when a (stream, version) in a batch exists already: another writer got there first. */
export const concurrencyError = (
  streamId: string,
  version: number,
  notificationId?: number,
  eventId?: string,
): EventfoldError =>
  new EventfoldError(
    'ConcurrencyError',
    eventId === undefined
      ? `stream "${streamId}" already has version ${version}`
      : `event id ${eventId} (stream "${streamId}" version ${version}) is stored already`,
    {
      streamId,
      version,
      ...(notificationId === undefined ? {} : { notificationId }),
      ...(eventId === undefined ? {} : { eventId }),
    },
  )

/** True for a ConcurrencyError: reload the stream and decide again. */
export const isConcurrencyError = (error: unknown): error is EventfoldError =>
  isEventfoldError(error, 'ConcurrencyError')

/** Thrown when a tracking row (upstream, notification id) exists already: that notification was processed. */
export const trackingConflict = (upstream: string, notificationId: number): EventfoldError =>
  new EventfoldError(
    'TrackingConflict',
    `notification ${notificationId} of "${upstream}" is tracked already`,
    {
      upstream,
      notificationId,
    },
  )

/** True for a TrackingConflict. */
export const isTrackingConflict = (error: unknown): error is EventfoldError =>
  isEventfoldError(error, 'TrackingConflict')

/** Thrown when a recorder is used after `close()`. */
export const recorderClosed = (name: string): EventfoldError =>
  new EventfoldError('RecorderClosed', `the ${name} recorder is closed`)

/** Thrown for an argument that is out of range or malformed (limit, start, version …). */
export const invalidArgument = (message: string, context: Record<string, unknown> = {}): EventfoldError =>
  new EventfoldError('InvalidArgument', message, context)

/** Thrown when the tables are missing or older than this release and may not be created or migrated here. */
export const schemaMissing = (
  where: string,
  current: number,
  latest: number,
  cause?: unknown,
): EventfoldError =>
  new EventfoldError(
    'SchemaMissing',
    `${where} ${current === 0 ? 'do not exist' : `are at schema version ${current}`} and this release needs version ${latest}: ` +
      "run `npx eventfold migrate --app <application>` with the application's environment (EVENTFOLD_PERSISTENCE, " +
      'DATABASE_URL …) as a role that may create tables, or let the recorder create them (createTables)',
    { current, latest },
    cause === undefined ? undefined : { cause },
  )

/** Thrown when the tables were migrated by a newer release than this one. */
export const schemaTooNew = (where: string, current: number, latest: number): EventfoldError =>
  new EventfoldError(
    'SchemaTooNew',
    `${where} are at schema version ${current}, newer than this release knows (${latest}): upgrade eventfold`,
    { current, latest },
  )

/** Codes of failures that pass: retrying the same operation later may succeed. */
const TRANSIENT = new Set([
  'ConnectionError',
  'LockTimeout',
  'Deadlock',
  'SerializationFailure',
  'LogUnavailable',
])

/**
 * True for a failure that may pass if the operation is tried again later: a lost or refused
 * connection (not a refused login), a lock timeout, a deadlock, a serialization failure, a remote
 * log whose server could not read its log for a moment. A statement
 * timeout is not one: the same statement would run too long again.
 */
export const isTransient = (error: unknown): error is EventfoldError =>
  isEventfoldError(error) && TRANSIENT.has(error.code) && error.context.permanent !== true

/** True for a failure after which the server certainly rolled the transaction back and it may run again at once. */
export const isRolledBack = (error: unknown): error is EventfoldError =>
  isEventfoldError(error, 'Deadlock') || isEventfoldError(error, 'SerializationFailure')
