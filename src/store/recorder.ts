// The recorder ports, in the Python eventsourcing library's vocabulary: aggregate, application, process.

import type { LeaseRecorder } from './lease.js'
import type {
  InsertOptions,
  Notification,
  SelectEventsOptions,
  SelectNotificationsOptions,
  StoredEvent,
  Tracking,
} from './records.js'

/**
 * Stores the events of streams. `insertEvents` is atomic: all events (across streams) and the
 * tracking row, or none. A (stream, version) that exists already fails the whole batch with a
 * ConcurrencyError. It resolves to the notification ids given to the events, in order.
 */
export interface AggregateRecorder {
  /** Appends a batch atomically, with its tracking if given; resolves to the new notification ids, in order. */
  insertEvents(events: readonly StoredEvent[], options?: InsertOptions): Promise<readonly number[]>
  /** The stream's events, each with its notification id (so errors can name it). */
  selectEvents(streamId: string, options?: SelectEventsOptions): Promise<readonly Notification[]>
  /** Releases the recorder's connections; later calls fail with RecorderClosed. */
  close(): Promise<void>
}

/** An aggregate recorder that also keeps every event in one total order, the notification log. */
export interface ApplicationRecorder extends AggregateRecorder {
  /** Notifications with id >= start, in id order, at most `limit` of them. */
  selectNotifications(
    start: number,
    limit: number,
    options?: SelectNotificationsOptions,
  ): Promise<readonly Notification[]>
  /** The highest notification id recorded, 0 when the log is empty. */
  maxNotificationId(): Promise<number>
  /**
   * Calls `listener` after new notifications are committed (by this process, and by others where the
   * database can tell: PostgreSQL LISTEN/NOTIFY). A wake-up, not a delivery: read the log to see what came.
   */
  subscribe(listener: () => void): Promise<Unsubscribe>
}

/** Stops a subscription. */
export type Unsubscribe = () => Promise<void>

/** Keeps snapshots: a stream's state at a version, stored like an event (type = the state's schema name). */
export interface SnapshotRecorder {
  /** Stores a snapshot; one at the same (stream, version) is replaced. */
  insertSnapshot(snapshot: StoredEvent): Promise<void>
  /** The latest snapshot of the stream at or below `upTo` (at any version when `upTo` is absent). */
  selectSnapshot(streamId: string, upTo?: number): Promise<StoredEvent | undefined>
}

/** An application recorder that also tracks which upstream notifications it has processed. */
export interface ProcessRecorder extends ApplicationRecorder {
  /** The highest notification id tracked for `upstream`, 0 when none is. */
  maxTrackingId(upstream: string): Promise<number>
  /** True when notification `notificationId` of `upstream` is tracked (was processed). */
  hasTracking(upstream: string, notificationId: number): Promise<boolean>
  /** Every upstream tracked here, with the highest notification id tracked for it (by upstream name). */
  selectTrackers?(): Promise<readonly Tracking[]>
}

/** Keeps the data keys of data subjects, each wrapped (encrypted) under the application's keyring. */
export interface DataKeyRecorder {
  /** Stores the subject's wrapped key unless it has one; resolves to the one stored (so racing writers agree). */
  insertDataKey(subject: string, wrapped: Uint8Array): Promise<Uint8Array>
  /** The wrapped keys of those subjects that have one. */
  selectDataKeys(subjects: readonly string[]): Promise<ReadonlyMap<string, Uint8Array>>
  /** Replaces a subject's wrapped key (after re-wrapping it under a new master key). */
  replaceDataKey(subject: string, wrapped: Uint8Array): Promise<void>
  /** Deletes a subject's key for ever: the data encrypted with it can no longer be read. */
  deleteDataKey(subject: string): Promise<void>
}

/** Maintenance that re-encryption needs: everything else about a stored event is immutable. */
export interface MaintenanceRecorder {
  /** Replaces the data of existing events, atomically; their stream, version, type and ids stay. */
  replaceEventData(rows: readonly Pick<StoredEvent, 'streamId' | 'version' | 'data'>[]): Promise<void>
}

/** Everything eventfold's own recorders (memory, SQLite, PostgreSQL) do. */
export type Recorder = ProcessRecorder &
  Required<Pick<ProcessRecorder, 'selectTrackers'>> &
  SnapshotRecorder &
  DataKeyRecorder &
  MaintenanceRecorder &
  LeaseRecorder
