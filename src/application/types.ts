// The application's public types: what `execute` returns and takes, how an application is built,
// and the Application itself (typed by the union of its aggregates).

import type { Either } from 'fp-ts/lib/Either.js'
import type { EventfoldError } from '../codec/index.js'
import type { Versioned } from '../evolve/index.js'
import type { NotificationLog } from '../log/index.js'
import type {
  ApplicationRecorder,
  DataKeyRecorder,
  EventMetadata,
  Instrumentation,
  Mapper,
  Notification,
  ProcessRecorder,
  SnapshotRecorder,
  Tracking,
} from '../store/index.js'
import type { Aggregate, AnyAggregate } from './aggregate.js'
import type { Environment } from './config.js'
import type { LogEntry } from './decode-log.js'
import type { ExecutedAll, InstructionGroup } from './execute-all.js'
import type { Instruction } from './instruction.js'

/** What a successful `execute` did: the new events, and the state and version after them. */
export interface Executed<S, E> {
  readonly streamId: string
  readonly events: readonly E[]
  readonly state: S
  readonly version: number
  /** The notification ids of the new events, in order (empty when the command changed nothing). */
  readonly notificationIds: readonly number[]
}

/** Per-command options of `execute`. */
export interface ExecuteOptions {
  /**
   * The stream is expected to be new (say, its id was just generated): decide against the initial
   * state without reading. If it exists after all, the append conflicts and execute reads it and
   * decides again, so this is only ever a saved read, never a wrong decision.
   */
  readonly expectNew?: boolean
  /**
   * The version the caller last saw (an HTTP If-Match, say): the command is decided only if the
   * stream is still at it. Otherwise, or if another writer appends first, execute throws a
   * ConcurrencyError naming the expected and actual versions, and does not retry.
   */
  readonly expectedVersion?: number
  /**
   * Metadata for every event the command records: `correlationId` and `causationId` to trace a
   * chain of work, and the user's own JSON fields (actor, tenant, request id …), at most 4 KiB.
   */
  readonly metadata?: EventMetadata
}

/** How to build an application; a recorder passed here overrides the default (memory). */
export interface ApplicationOptions {
  readonly name: string
  readonly aggregates: readonly AnyAggregate[]
  /** The recorder; without one, the environment chooses (see readConfig), memory by default. */
  readonly recorder?: ApplicationRecorder & Partial<SnapshotRecorder & DataKeyRecorder & ProcessRecorder>
  /** The environment to read the configuration from (default `process.env`). */
  readonly env?: Environment
  /** The mapper; without one, compression and encryption come from the environment. */
  readonly mapper?: Mapper
  /**
   * Told of problems that do not fail the operation at hand: a snapshot that could not be written,
   * or one that could not be read (the stream was replayed instead). Default: process.emitWarning.
   */
  readonly onWarning?: (warning: EventfoldError) => void
  /**
   * How many recent aggregate states to keep in memory (default 1,000; 0 for none). `execute`
   * starts from a cached state without reading (a stale one costs a ConcurrencyError and a
   * re-read); `get` reads the events after it, so it always returns the latest state.
   */
  readonly cacheSize?: number
  /**
   * How many times `execute` reloads and decides again after a ConcurrencyError (default 25: enough for a stream contended by several processes), after a
   * random pause of up to 2^attempt ms (at most 100 ms) so that contending writers fall out of step.
   */
  readonly maxRetries?: number
  /**
   * Metadata fields that are personal or secret (an email, say): encrypted with the keyring, bound
   * to their event; `read` and `decode` open them, the raw log shows only ciphertext. Needs a key.
   */
  readonly sensitiveMetadata?: readonly string[]
  /**
   * Telemetry: spans for execute (conflicts and retries as events), load and append, counters and
   * latencies — `openTelemetry()` from eventfold/telemetry, say. Commands' events carry the trace
   * context in their metadata (`traceparent`), so that what followers do for them joins the trace.
   * Without one, nothing is recorded.
   */
  readonly instrumentation?: Instrumentation
}

/** The log entries of an application over aggregates A (any aggregate when A is unknown). */
export type EntryOf<A> = LogEntry<A extends AnyAggregate ? A : AnyAggregate>

/**
 * An event-sourced application: command execution, aggregate queries and the notification log.
 * `A` is the union of its aggregates (as `application()` infers it): its methods accept only those,
 * and its log entries are a union discriminated by aggregate name. `Application` alone takes any.
 */
export interface Application<A = unknown> {
  readonly name: string
  readonly recorder: ApplicationRecorder
  readonly log: NotificationLog
  /** Its telemetry hooks, when it was given some (followers and projections of it use them too). */
  readonly instrumentation?: Instrumentation
  /** Loads the aggregate, decides, and appends; a domain rejection comes back on the left. */
  execute<C, S, E, R>(
    aggregate: Aggregate<C, S, E, R> & A,
    id: string,
    command: C,
    options?: ExecuteOptions,
  ): Promise<Either<R, Executed<S, E>>>
  /**
   * Executes several instructions as one unit: all their events, across streams, and the tracking
   * row are appended atomically (how a process application records what a policy decided).
   */
  executeAll(
    instructions: readonly Instruction[],
    tracking?: Tracking,
    options?: { readonly metadata?: EventMetadata },
  ): Promise<ExecutedAll>
  /**
   * Executes what a policy decided for several upstream notifications as one unit: each group's
   * events carry its metadata, and all of them, with the tracking of every notification in
   * (`tracking.after`, `tracking.notificationId`], are appended atomically — a process application's
   * batch, exactly once (a notification of the range tracked already fails it with TrackingConflict).
   */
  executeBatch(groups: readonly InstructionGroup[], tracking: Tracking): Promise<ExecutedAll>
  /** The aggregate's state and version, now or at `version` (a new stream is its initial state at 0). */
  get<C, S, E, R>(
    aggregate: Aggregate<C, S, E, R> & A,
    id: string,
    options?: { readonly version?: number },
  ): Promise<Versioned<S>>
  /**
   * Stores a snapshot of the aggregate at `version` (default: its latest), whatever its snapshot
   * interval; resolves to the version snapshotted (0 for a stream with no events: nothing stored).
   */
  takeSnapshot<C, S, E, R>(
    aggregate: Aggregate<C, S, E, R> & A,
    id: string,
    version?: number,
  ): Promise<number>
  /**
   * Crypto-shredding: deletes the data subject's key, so that its events and snapshots can never
   * be read again (reading them gives EventErased; `read` gives Erased entries). Other processes
   * forget a key they hold in memory when they restart or call `erase` too.
   */
  erase(subject: string): Promise<void>
  /**
   * Notifications decoded by their aggregates' codecs, in log order; erased events are marked, not
   * skipped. At most 10,000 per call (MAX_PAGE): a larger limit is capped, as in `log.select`.
   */
  read(start: number, limit: number): Promise<readonly EntryOf<A>[]>
  /** Decodes notifications of this application's log, as `read` does. */
  decode(notifications: readonly Notification[]): Promise<readonly EntryOf<A>[]>
  /** The last notification id of `upstream` this application has processed (0 for none). */
  trackedUpTo(upstream: string): Promise<number>
  /** Closes the application's recorder; nothing of it keeps the process alive afterwards. */
  close(): Promise<void>
}
