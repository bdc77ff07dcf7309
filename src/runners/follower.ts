// A follower: pulls an upstream application's notifications, runs the downstream application's
// policy on each, and records what it decided together with a tracking row — exactly once. It rides
// out transient failures: after a pause it goes on from the position its tracking says.

import {
  type Application,
  causedBy,
  type ExecutedAll,
  type Instruction,
  type InstructionGroup,
  type LogEntry,
} from '../application/index.js'
import { EventfoldError, isEventfoldError } from '../codec/index.js'
import type { NotificationLog } from '../log/index.js'
import { follow, pause } from '../log/index.js'
import type { Policy } from '../process/index.js'
import {
  carrierOf,
  type Instrumentation,
  isTrackingConflict,
  isTransient,
  type Notification,
  noInstrumentation,
} from '../store/index.js'

/** A rejection of one of the policy's instructions: the notification is still processed. */
export interface PolicyRejection {
  readonly upstream: string
  readonly notificationId: number
  readonly instruction: Instruction
  readonly reason: unknown
}

/** One downstream application following one upstream application. */
export interface Follower {
  readonly upstream: string
  readonly downstream: string
  /** Processes what the upstream log holds now (at most `limit`); resolves to how many were new. */
  pull(limit?: number): Promise<number>
  /**
   * Follows the upstream log until `signal` aborts, woken by its commits. A transient failure is
   * retried with backoff from the tracked position; any other failure rejects, typed.
   */
  run(signal: AbortSignal, options?: { readonly pollMs?: number }): Promise<void>
  /** Notifications this follower recorded, and those it found recorded already (by another instance). */
  stats(): { readonly processed: number; readonly skipped: number }
}

/**
 * What a follower reads: an application's name, log and decoder — an Application, or a remote one.
 * `Entry` is the type of the entries it decodes: over an application's aggregates, a union that
 * narrows by aggregate name (any aggregate's entries by default).
 */
export interface LogSource<Entry = LogEntry> {
  readonly name: string
  readonly log: NotificationLog
  /** Decodes notifications of its log into entries (erased ones marked, never skipped). */
  decode(notifications: readonly Notification[]): Promise<readonly Entry[]>
}

/** How a follower is set up. */
export interface FollowerOptions {
  readonly upstream: LogSource
  readonly downstream: Application
  readonly policy: Policy<unknown, Instruction>
  /** Told of instructions the downstream aggregates rejected (default: ignore them). */
  readonly onRejection?: (rejection: PolicyRejection) => void
  /** Notifications per read (default 100). */
  readonly batchSize?: number
  /**
   * Records each batch read in one transaction, with the tracking of all its notifications
   * (default true); false records one notification per transaction, as releases before 0.3 did.
   */
  readonly batchTransactions?: boolean
  /** Where its batches are traced and its lag measured (default: the downstream application's). */
  readonly instrumentation?: Instrumentation
}

/** Waits `ms`, or less when `signal` aborts. */
export const sleep = pause

/** The pause before retry `attempt` (from 0) after a transient failure: 50 ms doubling to 2 s, with jitter. */
export const backoffMs = (attempt: number): number =>
  Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2)

/** Creates a follower. Its position is the downstream's tracking of the upstream: it survives restarts. */
export const createFollower = (options: FollowerOptions): Follower => {
  const { upstream, downstream, policy } = options
  const batchSize = options.batchSize ?? 100
  const batching = options.batchTransactions ?? true

  /** What the policy decides for an entry: the instructions, with the upstream event's chain as metadata. */
  const decideFor = (entry: LogEntry) => {
    const { notification } = entry
    const instructions = entry._tag === 'Erased' ? [] : ask(entry)
    // What the policy decided belongs to the upstream event's chain of work, caused by that event.
    const metadata = causedBy(notification)
    return metadata ? { instructions, metadata } : { instructions }
  }

  /** The policy's instructions for an event; PolicyFailed, naming the notification, if it throws. */
  const ask = (entry: LogEntry & { readonly _tag: 'Event' }): readonly Instruction[] => {
    const { notification } = entry
    try {
      return policy({
        application: upstream.name,
        aggregate: entry.aggregate,
        id: notification.streamId.slice(entry.aggregate.length + 1),
        streamId: notification.streamId,
        version: notification.version,
        notificationId: notification.id,
        event: entry.event,
        ...(notification.eventId === undefined ? {} : { eventId: notification.eventId }),
        ...(notification.metadata === undefined ? {} : { metadata: notification.metadata }),
      })
    } catch (error) {
      throw new EventfoldError(
        'PolicyFailed',
        `the policy of "${downstream.name}" failed on notification ${notification.id} of "${upstream.name}" ` +
          `(stream "${notification.streamId}" version ${notification.version}): ${error instanceof Error ? error.message : String(error)}`,
        {
          upstream: upstream.name,
          downstream: downstream.name,
          notificationId: notification.id,
          streamId: notification.streamId,
          version: notification.version,
        },
        { cause: error },
      )
    }
  }

  /** Tells `onRejection` of the instructions the downstream aggregates rejected. */
  const report = (
    groups: readonly InstructionGroup[],
    entries: readonly LogEntry[],
    results: ExecutedAll['results'],
  ) => {
    let at = 0
    groups.forEach((group, g) => {
      for (const instruction of group.instructions) {
        const result = results[at++]
        const notification = (entries[g] as LogEntry).notification
        if (result?._tag === 'Left')
          options.onRejection?.({
            upstream: upstream.name,
            notificationId: notification.id,
            instruction,
            reason: result.left,
          })
      }
    })
  }

  /** Records one notification's consequences; false when it had been processed already. */
  const processEntry = async (entry: LogEntry): Promise<boolean> => {
    const { notification } = entry
    const tracking = { upstream: upstream.name, notificationId: notification.id }
    try {
      const group = decideFor(entry)
      const { results } = await downstream.executeAll(
        group.instructions,
        tracking,
        group.metadata ? { metadata: group.metadata } : {},
      )
      report([group], [entry], results)
      return true
    } catch (error) {
      if (isTrackingConflict(error) || isEventfoldError(error, 'TrackingConflict')) return false
      throw error
    }
  }

  /**
   * Records the consequences of consecutive notifications in one transaction, with the tracking of
   * each; false when that could not be done (one was processed already, or one failed): then they
   * are recorded one at a time, so that each is recorded once and a failure is met at its own entry.
   */
  const processAll = async (entries: readonly LogEntry[]): Promise<boolean> => {
    const first = entries[0]?.notification.id ?? 0
    const last = entries.at(-1)?.notification.id ?? 0
    if (entries.length < 2 || last - first + 1 !== entries.length) return false
    try {
      const groups = entries.map(decideFor)
      const { results } = await downstream.executeBatch(groups, {
        upstream: upstream.name,
        notificationId: last,
        after: first - 1,
      })
      report(groups, entries, results)
      return true
    } catch (error) {
      if (isTransient(error)) throw error
      return false
    }
  }

  const counts = { processed: 0, skipped: 0 }
  /** Processes entries in order, counting each as it goes (a failure may interrupt the batch). */
  const recordBatch = async (entries: readonly LogEntry[]): Promise<number> => {
    if (batching && (await processAll(entries))) {
      counts.processed += entries.length
      return entries.length
    }
    let processed = 0
    for (const entry of entries) {
      if (await processEntry(entry)) {
        processed += 1
        counts.processed += 1
      } else counts.skipped += 1
    }
    return processed
  }

  const telemetry = options.instrumentation ?? downstream.instrumentation ?? noInstrumentation
  const names = { 'eventfold.upstream': upstream.name, 'eventfold.downstream': downstream.name }
  /**
   * Processes a batch in a span that continues the trace of its first notification's command (the
   * others' are linked), so that what the policy caused joins it; then measures the lag.
   */
  const processBatch = async (entries: readonly LogEntry[]): Promise<number> => {
    if (telemetry === noInstrumentation || entries.length === 0) return recordBatch(entries)
    const carriers = entries.flatMap((entry) => {
      const carrier = carrierOf(entry.notification.metadata)
      return carrier ? [carrier] : []
    })
    const first = entries[0]?.notification.id
    const last = entries.at(-1)?.notification.id ?? 0
    const attributes = {
      ...names,
      'eventfold.notification.first': first,
      'eventfold.notification.last': last,
    }
    const processed = await telemetry.span(
      'eventfold.follower.batch',
      { ...attributes, 'eventfold.batch.size': entries.length },
      async (span) => {
        const recorded = await recordBatch(entries)
        span.setAttributes({ 'eventfold.batch.recorded': recorded })
        return recorded
      },
      { ...(carriers[0] ? { parent: carriers[0] } : {}), links: carriers.slice(1) },
    )
    telemetry.gauge('eventfold.follower.lag', Math.max(0, (await upstream.log.maxId()) - last), names)
    return processed
  }

  const position = () => downstream.trackedUpTo(upstream.name)

  return {
    upstream: upstream.name,
    downstream: downstream.name,
    pull: async (limit = Number.MAX_SAFE_INTEGER) => {
      let processed = 0
      let after = await position()
      for (let left = limit; left > 0; ) {
        const entries = await upstream.decode(await upstream.log.select(after + 1, Math.min(batchSize, left)))
        if (entries.length === 0) break
        processed += await processBatch(entries)
        after = entries.at(-1)?.notification.id ?? after
        left -= entries.length
      }
      return processed
    },
    stats: () => ({ ...counts }),
    run: async (signal, runOptions = {}) => {
      const poll = runOptions.pollMs ? { pollMs: runOptions.pollMs } : {}
      let failures = 0
      while (!signal.aborted) {
        try {
          const batches = follow(upstream.log, { after: await position(), batchSize, signal, ...poll })
          for await (const batch of batches) {
            await processBatch(await upstream.decode(batch.notifications))
            failures = 0
          }
        } catch (error) {
          if (!isTransient(error)) throw error
          await sleep(backoffMs(failures++), signal)
        }
      }
    },
  }
}
