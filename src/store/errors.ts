// The typed errors of the store layer, each with a stable code and the stream, version or id involved.

import { EventfoldError, isEventfoldError } from '../codec/index.js'

/** Thrown when a (stream, version) in a batch exists already: another writer got there first. */
export const concurrencyError = (
  streamId: string,
  version: number,
  notificationId?: number,
): EventfoldError =>
  new EventfoldError('ConcurrencyError', `stream "${streamId}" already has version ${version}`, {
    streamId,
    version,
    ...(notificationId === undefined ? {} : { notificationId }),
  })

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
