// Metadata on stored events: what `execute` and `executeAll` were given, and how a chain of work
// is traced — an event without a correlation id starts its chain, and its own id names it.

import type { EventMetadata, Notification, StoredEvent } from '../store/index.js'

/** The stored event with `metadata` (unchanged when there is none). */
export const withMetadata = (event: StoredEvent, metadata: EventMetadata | undefined): StoredEvent =>
  metadata === undefined ? event : { ...event, metadata }

/** The correlation id of the chain a notification belongs to: its own, or, starting one, its event id. */
export const correlationOf = (notification: Notification): string | undefined =>
  notification.metadata?.correlationId ?? notification.eventId

/** The metadata of work caused by a notification: the same chain, caused by that event. */
export const causedBy = (notification: Notification): EventMetadata | undefined => {
  const correlationId = correlationOf(notification)
  if (correlationId === undefined) return undefined
  return notification.eventId === undefined
    ? { correlationId }
    : { correlationId, causationId: notification.eventId }
}
