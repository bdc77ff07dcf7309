// The records a recorder keeps: stored events, notifications in the global log, tracking rows.

import type { JsonValue } from '../codec/index.js'

/**
 * What is known of an event besides its data, kept readable by the log (never compressed or
 * encrypted): the ids that trace it — the chain of work it belongs to (`correlationId`) and what
 * caused it (`causationId`, the event id of an upstream event, say) — and the user's own fields
 * (actor, tenant, request id …), JSON values of at most 4 KiB in all.
 */
export interface EventMetadata {
  readonly correlationId?: string
  readonly causationId?: string
  readonly [field: string]: JsonValue | undefined
}

/** An event as the recorder keeps it: its place in its stream, its type and its encoded bytes. */
export interface StoredEvent {
  readonly streamId: string
  /** The event's position in its stream; the first event of a stream has version 1. */
  readonly version: number
  readonly type: string
  readonly schemaVersion: number
  readonly data: Uint8Array
  /**
   * The event's unique id, a UUID (v7 when the recorder makes it). Given to `insertEvents`, it is
   * kept; absent, the recorder generates one. Events stored by releases before 0.2 have none.
   */
  readonly eventId?: string
  /** The event's metadata (correlation, causation, the user's fields); absent when it has none. */
  readonly metadata?: EventMetadata
}

/** A stored event with its place in the application's total order: ids 1, 2, 3 … in commit order. */
export interface Notification extends StoredEvent {
  readonly id: number
  /** When the event was recorded (the database's clock); absent where a recorder does not know. */
  readonly recordedAt?: Date
}

/**
 * Records that notification `notificationId` of the application `upstream` has been processed —
 * and with `after`, every notification in (after, notificationId]: a batch of them, each tracked
 * (so a batch that overlaps one recorded already fails with TrackingConflict).
 */
export interface Tracking {
  readonly upstream: string
  readonly notificationId: number
  /** The batch's first notification id − 1 (default notificationId − 1: the one notification). */
  readonly after?: number
}

/** Which events of a stream to read: versions in (after, upTo], oldest first unless backwards. */
export interface SelectEventsOptions {
  readonly after?: number
  readonly upTo?: number
  readonly backwards?: boolean
  readonly limit?: number
}

/** Narrows a page of notifications: ids up to `stop`, and only the listed event types. */
export interface SelectNotificationsOptions {
  readonly stop?: number
  readonly types?: readonly string[]
}

/** Options of one atomic insert: a tracking row written in the same transaction as the events. */
export interface InsertOptions {
  readonly tracking?: Tracking
}
