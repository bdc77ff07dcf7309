// The application: loads aggregates from the recorder, decides, appends with optimistic
// concurrency (reload and retry on conflict), and exposes the notification log.

import type { Either } from 'fp-ts/lib/Either.js'
import { EventfoldError, jsonState, type StateCodec } from '../codec/index.js'
import type { Versioned } from '../evolve/index.js'
import { createNotificationLog, MAX_PAGE } from '../log/index.js'
import {
  checkCount,
  checkStreamId,
  createMapper,
  type EventMetadata,
  type Instrumentation,
  type Notification,
  type Tracking,
} from '../store/index.js'
import { type Aggregate, type AnyAggregate, checkName, streamIdOf } from './aggregate.js'
import { readConfig, recorderFor } from './config.js'
import { createSubjectKeys } from './data-keys.js'
import { decodeNotification, type LogEntry } from './decode-log.js'
import { executeOne } from './execute.js'
import { type ExecutedAll, type ExecutionContext, executeAll, type InstructionGroup } from './execute-all.js'
import { createRepository, type LoadOptions } from './repository.js'
import { createStreamQueues } from './stream-queues.js'
import type { Application, ApplicationOptions, Executed, ExecuteOptions } from './types.js'
import { metadataSealer, openMetadata } from './with-metadata.js'

export type { Application, ApplicationOptions, EntryOf, Executed, ExecuteOptions } from './types.js'

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
  const sensitive = options.sensitiveMetadata ?? []
  const sealMetadata = metadataSealer(mapper, sensitive)
  const telemetry = options.instrumentation
  const repository = createRepository(recorder, mapper, cacheSize, warn, subjects.keysFor, telemetry)
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
    const entry = snapshotting.get(byName.get(aggregate.name) ?? aggregate)
    // The codec stored for an aggregate is its own state codec (or JSON for it): a StateCodec<S>.
    return { every: entry?.every, codec: entry?.codec as StateCodec<S> | undefined }
  }
  const loadOptions = <S>(
    aggregate: Aggregate<never, S, unknown, unknown>,
    upTo?: number,
  ): LoadOptions<S> => {
    const { codec } = snapshotsOf(aggregate)
    if (upTo === undefined) return codec ? { snapshots: codec } : NO_OPTIONS
    return codec ? { upTo, snapshots: codec } : { upTo }
  }
  const registered = new Set(options.aggregates)
  const names = new Set(options.aggregates.map((a) => a.name))
  if (names.size !== registered.size)
    throw new EventfoldError('InvalidConfiguration', 'aggregate names must be unique')

  const streamOf = (aggregate: AnyAggregate, id: string): string => {
    // By name, as the stream ids and the log know aggregates: another object declared with the
    // same name (in a test setup, say) is the same aggregate.
    if (!byName.has(aggregate.name)) {
      throw new EventfoldError(
        'UnknownAggregate',
        `application "${name}" holds no aggregate named "${aggregate.name}" (it holds ${[...byName.keys()].join(', ') || 'none'})`,
      )
    }
    return checkStreamId(streamIdOf(aggregate, checkStreamId(id)))
  }

  const decode = async (notifications: readonly Notification[]): Promise<readonly LogEntry[]> => {
    const keys = await subjects.keysFor(notifications)
    return notifications.map((notification) =>
      decodeNotification(byName, mapper, openMetadata(mapper, sensitive, notification), keys),
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
    const every = snapshotting.get(byName.get(aggregate.name) ?? aggregate)?.every
    if (!every || Math.floor(from / every) >= Math.floor(to.version / every)) return
    const { codec } = snapshotsOf(aggregate)
    if (!codec) return
    const id = streamId.slice(aggregate.name.length + 1)
    const subject = await subjects.subjectFor(aggregate, id)
    await repository.saveSnapshot(codec, streamId, to, subject).catch((error: unknown) => {
      const message = `snapshot of "${streamId}" at ${to.version} not stored: ${String(error)}`
      warn(new EventfoldError('SnapshotFailed', message, { streamId, version: to.version }, { cause: error }))
    })
  }

  const queues = createStreamQueues()

  const context: ExecutionContext = {
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
    ...(telemetry ? { instrumentation: telemetry } : {}),
  }

  // Not an async function (its promise would wrap the queue's, a few more turns and allocations
  // per command), so a refusal of its arguments is returned as a rejected promise by hand.
  const execute = <C, S, E, R>(
    aggregate: Aggregate<C, S, E, R>,
    id: string,
    command: C,
    options: ExecuteOptions = NO_OPTIONS,
  ): Promise<Either<R, Executed<S, E>>> => {
    try {
      const streamId = streamOf(aggregate, id)
      if (options.expectedVersion !== undefined) checkCount('expectedVersion', options.expectedVersion, 0)
      // Commands for one stream take turns in this process: they never conflict with each other.
      if (telemetry) return traced(telemetry, aggregate, id, streamId, command, options)
      return queues.run(streamId, () => executeOne(context, aggregate, id, streamId, command, options))
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** Executes in an "eventfold.execute" span; the events carry its trace context in their metadata. */
  const traced = <C, S, E, R>(
    telemetry: Instrumentation,
    aggregate: Aggregate<C, S, E, R>,
    id: string,
    streamId: string,
    command: C,
    options: ExecuteOptions,
  ): Promise<Either<R, Executed<S, E>>> => {
    const attributes = {
      'eventfold.application': name,
      'eventfold.aggregate': aggregate.name,
      'eventfold.stream_id': streamId,
    }
    // Metrics by application and aggregate only: a series per stream would never end.
    const measured = { 'eventfold.application': name, 'eventfold.aggregate': aggregate.name }
    return telemetry.span('eventfold.execute', attributes, async (span) => {
      const traceOptions = withTrace(telemetry, options)
      try {
        const result = await queues.run(streamId, () =>
          executeOne(context, aggregate, id, streamId, command, traceOptions, span),
        )
        const outcome = result._tag === 'Left' ? 'rejected' : 'ok'
        if (result._tag === 'Right') {
          const { version, events, notificationIds } = result.right
          span.setAttributes({
            'eventfold.version': version,
            'eventfold.events': events.length,
            'eventfold.notification.first': notificationIds[0],
            'eventfold.notification.last': notificationIds.at(-1),
          })
        } else telemetry.count('eventfold.rejections', 1, measured)
        span.setAttributes({ 'eventfold.outcome': outcome })
        telemetry.count('eventfold.commands', 1, { ...measured, 'eventfold.outcome': outcome })
        return result
      } catch (error) {
        telemetry.count('eventfold.commands', 1, { ...measured, 'eventfold.outcome': 'failed' })
        throw error
      }
    })
  }

  /** Executes instructions in one batch; when instrumented, in an "eventfold.execute_batch" span whose trace the events carry. */
  const batch = (
    groups: readonly InstructionGroup[],
    tracking: Tracking | undefined,
  ): Promise<ExecutedAll> => {
    if (!telemetry) return executeAll(context, groups, tracking)
    const attributes = {
      'eventfold.application': name,
      'eventfold.instructions': groups.reduce((n, g) => n + g.instructions.length, 0),
      'eventfold.tracking.upstream': tracking?.upstream,
      'eventfold.tracking.notification': tracking?.notificationId,
    }
    return telemetry.span('eventfold.execute_batch', attributes, () =>
      executeAll(
        context,
        groups.map((group) => withTrace(telemetry, group)),
        tracking,
      ),
    )
  }

  const app: Application = {
    name,
    recorder,
    ...(telemetry ? { instrumentation: telemetry } : {}),
    log: createNotificationLog(recorder),
    execute,
    executeAll: (instructions, tracking, executeOptions = {}) =>
      batch(
        [executeOptions.metadata ? { instructions, metadata: executeOptions.metadata } : { instructions }],
        tracking,
      ),
    executeBatch: (groups, tracking) => batch(groups, tracking),
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

/** Options left out: one shared empty object, never changed. */
const NO_OPTIONS = Object.freeze({})

/** The options (or group) with the active trace context added to its metadata (the caller's fields win). */
const withTrace = <O extends { readonly metadata?: EventMetadata }>(
  telemetry: Instrumentation,
  options: O,
): O => {
  const carrier = telemetry.carrier()
  return carrier ? { ...options, metadata: { ...carrier, ...options.metadata } } : options
}

const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** attempt)))
