// The application: loads aggregates from the recorder, decides, appends with optimistic
// concurrency (reload and retry on conflict), and exposes the notification log.

import type { Either } from 'fp-ts/lib/Either.js'
import { EventfoldError, jsonState, left, right, type StateCodec } from '../codec/index.js'
import { toEither } from '../decide/index.js'
import { initial, type Versioned } from '../evolve/index.js'
import { createNotificationLog, MAX_PAGE, type NotificationLog } from '../log/index.js'
import {
  type ApplicationRecorder,
  checkCount,
  checkStreamId,
  createMapper,
  type DataKeyRecorder,
  type EventMetadata,
  isConcurrencyError,
  type Mapper,
  type Notification,
  type ProcessRecorder,
  type SnapshotRecorder,
  type Tracking,
} from '../store/index.js'
import { type Aggregate, type AnyAggregate, checkName, encodeAt, streamIdOf } from './aggregate.js'
import { type Environment, readConfig, recorderFor } from './config.js'
import { createSubjectKeys } from './data-keys.js'
import { decodeNotification, type LogEntry } from './decode-log.js'
import { type ExecutedAll, executeAll } from './execute-all.js'
import type { Instruction } from './instruction.js'
import { createRepository } from './repository.js'
import { streamClosed } from './stream-closed.js'
import { createStreamQueues } from './stream-queues.js'
import { metadataSealer, openMetadata, withMetadata } from './with-metadata.js'

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
  close(): Promise<void>
}

/** Creates an application over the given recorder, or a fresh memory recorder. */
export const application = <const G extends readonly AnyAggregate[]>(
  options: ApplicationOptions & { readonly aggregates: G },
): Application<G[number]> => {
  const name = checkName('application', options.name)
  const config = readConfig(name, options.env)
  const recorder = options.recorder ?? recorderFor(config.recorder, name)
  const mapper = options.mapper ?? createMapper(config.mapper)
  const maxRetries = checkCount('maxRetries', options.maxRetries ?? 25, 0)
  const warn =
    options.onWarning ?? ((warning) => process.emitWarning(warning.message, { code: warning.code }))
  const subjects = createSubjectKeys(recorder, mapper)
  if (options.aggregates.some((a) => a.subjectOf) && !mapper.encrypts) {
    throw new EventfoldError(
      'InvalidConfiguration',
      'subjectOf (crypto-shredding) needs encryption: set EVENTFOLD_CIPHER_KEY',
    )
  }
  const cacheSize = checkCount('cacheSize', options.cacheSize ?? 1000, 0)
  const sealMetadata = metadataSealer(mapper, options.sensitiveMetadata ?? [])
  const repository = createRepository(recorder, mapper, cacheSize, warn, subjects.keysFor)
  const byName = new Map(options.aggregates.map((a) => [a.name, a]))
  const snapshotting = new Map(
    options.aggregates.map((a) => {
      const every = a.snapshotEvery ?? config.snapshotEvery
      const codec = a.stateCodec ?? (every === undefined ? undefined : jsonState(`${a.name}State`))
      return [a, { every, codec }] as const
    }),
  )
  if (!recorder.insertSnapshot && [...snapshotting.values()].some((s) => s.every !== undefined)) {
    throw new EventfoldError(
      'InvalidConfiguration',
      'snapshotEvery is set but the recorder does not store snapshots',
    )
  }
  /** How an aggregate's snapshots are stored: its interval and state codec (none without either). */
  const snapshotsOf = <S>(aggregate: Aggregate<never, S, unknown, unknown>) => {
    const entry = snapshotting.get(aggregate)
    // The codec stored for an aggregate is its own state codec (or JSON for it): a StateCodec<S>.
    return { every: entry?.every, codec: entry?.codec as StateCodec<S> | undefined }
  }
  const loadOptions = <S>(aggregate: Aggregate<never, S, unknown, unknown>, upTo?: number) => {
    const { codec } = snapshotsOf(aggregate)
    return { ...(upTo === undefined ? {} : { upTo }), ...(codec ? { snapshots: codec } : {}) }
  }
  const registered = new Set(options.aggregates)
  const names = new Set(options.aggregates.map((a) => a.name))
  if (names.size !== registered.size)
    throw new EventfoldError('InvalidConfiguration', 'aggregate names must be unique')

  const streamOf = (aggregate: AnyAggregate, id: string): string => {
    if (!registered.has(aggregate)) {
      throw new EventfoldError(
        'UnknownAggregate',
        `aggregate "${aggregate.name}" is not part of application "${name}"`,
      )
    }
    return checkStreamId(streamIdOf(aggregate, checkStreamId(id)))
  }

  const decode = async (notifications: readonly Notification[]): Promise<readonly LogEntry[]> => {
    const keys = await subjects.keysFor(notifications)
    return notifications.map((notification) =>
      decodeNotification(byName, mapper, openMetadata(mapper, notification), keys),
    )
  }

  /** After a commit: remember the state, and store a snapshot if the stream crossed its interval. */
  const committed = async <S>(
    aggregate: Aggregate<never, S, unknown, unknown>,
    streamId: string,
    from: number,
    to: Versioned<S>,
  ): Promise<void> => {
    repository.remember(aggregate, streamId, to)
    const { every, codec } = snapshotsOf(aggregate)
    if (!every || !codec || Math.floor(from / every) >= Math.floor(to.version / every)) return
    const id = streamId.slice(aggregate.name.length + 1)
    const subject = await subjects.subjectFor(aggregate, id)
    await repository.saveSnapshot(codec, streamId, to, subject).catch((error: unknown) => {
      const message = `snapshot of "${streamId}" at ${to.version} not stored: ${String(error)}`
      warn(new EventfoldError('SnapshotFailed', message, { streamId, version: to.version }, { cause: error }))
    })
  }

  /**
   * Decides on the current state, always. A cached or assumed-new state saves a read, but a
   * decision made on one is only returned once it is known to be current: an append at its version
   * succeeds or conflicts (then the stream is read and the command decided again), and a rejection
   * or an empty decision is confirmed by reading what follows its version (decided again if anything did).
   */
  const decideAndAppend = async <C, S, E, R>(
    aggregate: Aggregate<C, S, E, R>,
    id: string,
    streamId: string,
    command: C,
    options: ExecuteOptions,
  ): Promise<Either<R, Executed<S, E>>> => {
    const { decider, codec } = aggregate
    const { expectedVersion } = options
    let current: Versioned<S> | undefined = options.expectNew
      ? initial(decider.initialState)
      : repository.cached(aggregate, streamId)
    let fresh = false
    for (let attempt = 0; ; attempt++) {
      if (!current) {
        current = await repository.load(aggregate, streamId, loadOptions(aggregate))
        fresh = true
      }
      // A terminal state is final: whether read just now or cached, no command is decided on it.
      if (decider.isTerminal?.(current.state)) throw streamClosed(streamId, current.version)
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        if (fresh) throw versionMismatch(streamId, expectedVersion, current.version)
        current = undefined
        continue
      }
      const decision = toEither(decider.decide(command, current.state))
      if (!fresh && (decision._tag === 'Left' || decision.right.length === 0)) {
        // Decided on a state that was not just read: confirm it before answering.
        const confirmed: Versioned<S> = await repository.load(aggregate, streamId, { from: current })
        fresh = true
        if (confirmed.version !== current.version) {
          current = confirmed
          continue
        }
      }
      if (decision._tag === 'Left') return left(decision.left)
      const events = decision.right
      const from = current.version
      const subject = events.length > 0 ? await subjects.subjectFor(aggregate, id) : undefined
      const stored = events.map((event, i) =>
        withMetadata(
          mapper.toStored(
            streamId,
            from + i + 1,
            encodeAt(codec, event, streamId, from + i + 1),
            subject ? { subject } : {},
          ),
          options.metadata,
          sealMetadata,
        ),
      )
      let notificationIds: readonly number[] = []
      try {
        if (stored.length > 0) notificationIds = await recorder.insertEvents(stored)
      } catch (error) {
        if (!isConcurrencyError(error)) throw error
        if (expectedVersion !== undefined) {
          const now = await repository.load(aggregate, streamId, { from: current })
          throw versionMismatch(streamId, expectedVersion, now.version, error)
        }
        if (attempt >= maxRetries) throw error
        await backoff(attempt)
        current = await repository.load(aggregate, streamId, { from: current })
        fresh = true
        continue
      }
      let state = current.state
      for (const event of events) state = decider.evolve(state, event)
      const version = from + events.length
      await committed(aggregate, streamId, from, { state, version })
      return right({ streamId, events, state, version, notificationIds })
    }
  }

  const queues = createStreamQueues()

  const execute = async <C, S, E, R>(
    aggregate: Aggregate<C, S, E, R>,
    id: string,
    command: C,
    options: ExecuteOptions = {},
  ): Promise<Either<R, Executed<S, E>>> => {
    const streamId = streamOf(aggregate, id)
    if (options.expectedVersion !== undefined) checkCount('expectedVersion', options.expectedVersion, 0)
    // Commands for one stream take turns in this process: they never conflict with each other.
    return queues.run(streamId, () => decideAndAppend(aggregate, id, streamId, command, options))
  }

  const app: Application = {
    name,
    recorder,
    log: createNotificationLog(recorder),
    execute,
    executeAll: (instructions, tracking, executeOptions = {}) =>
      executeAll(
        {
          recorder,
          mapper,
          repository,
          subjects,
          maxRetries,
          streamOf,
          loadOptions,
          backoff,
          committed,
          ...(sealMetadata ? { sealMetadata } : {}),
        },
        instructions,
        tracking,
        executeOptions.metadata,
      ),
    get: async (aggregate, id, options = {}) =>
      repository.load(
        aggregate,
        streamOf(aggregate, id),
        loadOptions(
          aggregate,
          options.version === undefined ? undefined : checkCount('version', options.version, 0),
        ),
      ),
    takeSnapshot: async (aggregate, id, version) => {
      const streamId = streamOf(aggregate, id)
      const upTo = version === undefined ? undefined : checkCount('version', version, 0)
      const loaded = await repository.load(aggregate, streamId, loadOptions(aggregate, upTo))
      if (loaded.version === 0) return 0
      const codec = snapshotsOf(aggregate).codec ?? jsonState(`${aggregate.name}State`)
      await repository.saveSnapshot(codec, streamId, loaded, await subjects.subjectFor(aggregate, id))
      return loaded.version
    },
    erase: async (subject) => {
      await subjects.erase(subject)
      repository.forget()
    },
    read: async (start, limit) =>
      decode(
        await recorder.selectNotifications(
          checkCount('start', start, 1),
          Math.min(checkCount('limit', limit, 0), MAX_PAGE),
        ),
      ),
    decode,
    trackedUpTo: async (upstream) => {
      if (!recorder.maxTrackingId)
        throw new EventfoldError('InvalidConfiguration', 'the recorder does not track upstream notifications')
      return recorder.maxTrackingId(upstream)
    },
    close: () => recorder.close(),
  }
  // The typed view of the same object: it narrows what the methods accept to this application's
  // aggregates (refused at run time too, with UnknownAggregate) and names the entries `decode` gives —
  // it decodes each notification with the aggregate its stream names, so each entry is of that one.
  return app as Application<G[number]>
}

const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** attempt)))

/** The ConcurrencyError of an `expectedVersion` that is not the stream's version. */
const versionMismatch = (
  streamId: string,
  expected: number,
  actual: number,
  cause?: unknown,
): EventfoldError =>
  new EventfoldError(
    'ConcurrencyError',
    `stream "${streamId}" is at version ${actual}, not the expected ${expected}`,
    { streamId, version: expected, expectedVersion: expected, actualVersion: actual },
    cause === undefined ? undefined : { cause },
  )
