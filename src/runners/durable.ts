// Running durable projections: catch up, mark ready, follow (woken by commits), hold a lease so one
// instance works, ride out transient failures, and stop at an entry that cannot be applied — or
// keep it aside as a dead letter — never skipping one silently. Shared by document and SQL projections.

import { EventfoldError, isEventfoldError } from '../codec/index.js'
import { follow, type NotificationLog, readBatch } from '../log/index.js'
import {
  carrierOf,
  type DeadLetter,
  type Instrumentation,
  isTrackingConflict,
  isTransient,
  type LeaseRecorder,
  type Notification,
  type ProjectionRecorder,
  type ProjectionStatus,
  type ProjectionVersion,
} from '../store/index.js'
import { backoffMs, type LogSource, sleep } from './follower.js'
import { whileLeased } from './leased.js'
import { announceMove, waitForProjection } from './wait.js'

/** What to do with an entry a projection cannot apply (its code throws, or it cannot be decoded). */
export type PoisonPolicy = 'stop' | 'dead-letter'

/** A notification in hand: decoded, or with the error that decoding it gave. */
export type Item<Entry> =
  | { readonly _tag: 'Entry'; readonly entry: Entry; readonly notification: Notification }
  | { readonly _tag: 'Undecodable'; readonly error: unknown; readonly notification: Notification }

/** How one kind of projection applies a batch. */
export interface Applier<Entry> {
  readonly projection: ProjectionVersion
  readonly store: ProjectionRecorder & Partial<LeaseRecorder>
  /**
   * Applies `items` (in log order), moving the position from `from` to `to` in one commit, or in
   * several when it must find the entry that fails; resolves to the position reached, which is `to`
   * unless an entry failed under the 'stop' policy (then it throws ProjectionFailed after committing
   * what came before it).
   */
  apply(items: readonly Item<Entry>[], from: number, to: number, poison: PoisonPolicy): Promise<number>
}

/** The typed error of an entry a projection could not apply: its position stays before the entry. */
export const projectionFailed = (projection: ProjectionVersion, notification: Notification, cause: unknown) =>
  new EventfoldError(
    'ProjectionFailed',
    `projection "${projection.name}" v${projection.version} could not apply notification ${notification.id} ` +
      `(stream "${notification.streamId}" version ${notification.version}): ${cause instanceof Error ? cause.message : String(cause)}`,
    {
      projection: projection.name,
      projectionVersion: projection.version,
      notificationId: notification.id,
      streamId: notification.streamId,
      version: notification.version,
    },
    { cause },
  )

/** A dead letter for a notification and the error it gave. */
export const deadLetter = (notification: Notification, error: unknown): DeadLetter => ({
  notificationId: notification.id,
  streamId: notification.streamId,
  version: notification.version,
  code: isEventfoldError(error) ? error.code : error instanceof Error ? error.name : 'Error',
  // An EventfoldError's message starts with its code, which the dead letter keeps apart.
  message: isEventfoldError(error)
    ? error.message.slice(error.message.startsWith(`${error.code}: `) ? error.code.length + 2 : 0)
    : error instanceof Error
      ? error.message
      : String(error),
})

/** True for a failure that says nothing about the entry: retry the batch later. */
export const isPassing = (error: unknown): boolean => isTransient(error) || isTrackingConflict(error)

/** Decodes a page; if the page fails, decodes each notification alone to find the ones that fail. */
const decodeItems = async <Entry>(
  source: LogSource<Entry>,
  notifications: readonly Notification[],
): Promise<readonly Item<Entry>[]> => {
  try {
    const entries = await source.decode(notifications)
    return entries.map((entry, i) => ({
      _tag: 'Entry',
      entry,
      notification: notifications[i] as Notification,
    }))
  } catch (error) {
    if (isTransient(error)) throw error
  }
  const items: Item<Entry>[] = []
  for (const notification of notifications) {
    try {
      const [entry] = await source.decode([notification])
      items.push({ _tag: 'Entry', entry: entry as Entry, notification })
    } catch (error) {
      if (isTransient(error)) throw error
      items.push({ _tag: 'Undecodable', error, notification })
    }
  }
  return items
}

/** How far a projection has come: its position against the log's last notification id. */
export interface Lag {
  readonly name: string
  readonly version: number
  readonly position: number
  readonly head: number
  /** head − position: notifications committed that it has not applied yet. */
  readonly behind: number
  readonly ready: boolean
}

/** A durable projection's runner: one version of one projection of one application's log. */
export interface ProjectionRunner {
  readonly name: string
  readonly version: number
  /** Applies everything the log holds now, then marks the version ready; resolves to how many notifications that was. */
  catchUp(): Promise<number>
  /**
   * Catches up, then follows the log until `signal` aborts, woken by commits. With `lease`, works
   * only while it holds the lease "project <name> v<version>" (one instance at a time across
   * processes on PostgreSQL); transient failures are retried with backoff; an entry it cannot apply
   * rejects with ProjectionFailed (unless its poison policy is 'dead-letter').
   */
  run(signal: AbortSignal, options?: { readonly pollMs?: number; readonly lease?: boolean }): Promise<void>
  /** Runs in the background (`run`); failures go to `onError` (default: a process warning). */
  start(options?: {
    readonly pollMs?: number
    readonly lease?: boolean
    readonly onError?: (error: unknown) => void
  }): void
  /** Stops what `start` began, after the batch in hand, releasing the lease. */
  stop(): Promise<void>
  /** Its position against the log. */
  lag(): Promise<Lag>
  /** Its dead letters, in notification order. */
  deadLetters(): Promise<readonly DeadLetter[]>
  /**
   * Resolves once the version serving its readers has applied `notificationId` (say, one that
   * `execute` returned), so that a read sees its own write; Timeout after `timeoutMs` (default 5,000).
   */
  waitFor(
    notificationId: number,
    options?: { readonly timeoutMs?: number; readonly pollMs?: number },
  ): Promise<void>
}

/** Builds a runner around an applier. */
export const createRunnerOf = <Entry extends { readonly notification: Notification }>(
  source: LogSource<Entry>,
  applier: Applier<Entry>,
  options: {
    readonly batchSize?: number
    readonly poison?: PoisonPolicy
    readonly instrumentation?: Instrumentation
  },
): ProjectionRunner => {
  const { projection, store } = applier
  const batchSize = options.batchSize ?? 500
  const poison = options.poison ?? 'stop'
  let registered: Promise<ProjectionStatus> | undefined
  const register = () => {
    registered ??= store.registerProjection(projection).catch((error: unknown) => {
      registered = undefined
      throw error
    })
    return registered
  }
  const status = async (): Promise<ProjectionStatus> => {
    await register()
    const found = (await store.selectProjections(projection.name)).find(
      (s) => s.version === projection.version,
    )
    return found ?? (await store.registerProjection(projection))
  }

  /** The position of the newest older ready version of the name: the one serving now (0 for none). */
  const servingPosition = async (): Promise<number> => {
    const others = (await store.selectProjections(projection.name)).filter(
      (s) => s.ready && s.version < projection.version,
    )
    return others.at(-1)?.position ?? 0
  }

  const telemetry =
    options.instrumentation ?? (source as { readonly instrumentation?: Instrumentation }).instrumentation
  const names = {
    'eventfold.projection': projection.name,
    'eventfold.projection.version': projection.version,
  }

  /** Applies one page from `from`; resolves to the new position. */
  const apply = async (notifications: readonly Notification[], from: number, to: number): Promise<number> => {
    const items = await decodeItems(source, notifications)
    const reached = await applier.apply(items, from, to, poison)
    announceMove(projection)
    return reached
  }

  /** Applies one page, in a span that continues its first notification's trace when instrumented, and measures the lag. */
  const step = async (notifications: readonly Notification[], from: number, to: number): Promise<number> => {
    if (!telemetry) return apply(notifications, from, to)
    const carriers = notifications.flatMap((n) => {
      const carrier = carrierOf(n.metadata)
      return carrier ? [carrier] : []
    })
    const attributes = {
      ...names,
      'eventfold.notification.first': notifications[0]?.id,
      'eventfold.notification.last': notifications.at(-1)?.id,
      'eventfold.batch.size': notifications.length,
    }
    const reached = await telemetry.span(
      'eventfold.projection.batch',
      attributes,
      () => apply(notifications, from, to),
      { ...(carriers[0] ? { parent: carriers[0] } : {}), links: carriers.slice(1) },
    )
    telemetry.gauge('eventfold.projection.lag', Math.max(0, (await source.log.maxId()) - reached), names)
    return reached
  }

  /** Applies pages until one is short; resolves to the position and how many notifications were applied. */
  /** Applies pages until one is short, or `signal` aborts (then `stopped`); resolves to the position and the count. */
  const catchUpFrom = async (
    log: NotificationLog,
    from: number,
    signal: AbortSignal | undefined,
  ): Promise<{ position: number; count: number; stopped?: true }> => {
    let position = from
    let count = 0
    for (;;) {
      // Stopped, or the lease lost: after the batch in hand, not after the whole backlog.
      if (signal?.aborted) return { position, count, stopped: true }
      const batch = await readBatch(log, position, { batchSize })
      if (batch.notifications.length > 0) position = await step(batch.notifications, position, batch.position)
      count += batch.notifications.length
      if (batch.notifications.length < batchSize) return { position, count }
    }
  }

  const catchUp = async (signal?: AbortSignal): Promise<number> => {
    for (let failures = 0; ; ) {
      try {
        const start = await status()
        const first = await catchUpFrom(source.log, start.position, signal)
        let { position, count } = first
        if (start.ready || first.stopped) return count
        // Ready only once at least as far as the version serving now, so that readers who switch
        // to this one never see it behind what they saw (the serving one may still be following).
        for (let serving = await servingPosition(); position < serving; serving = await servingPosition()) {
          const more = await catchUpFrom(source.log, position, signal)
          if (more.stopped) return count + more.count
          position = more.position
          count += more.count
          if (more.count === 0) await sleep(50)
        }
        await store.markReady(projection)
        return count
      } catch (error) {
        // Another instance moved the position: go on from where it is.
        if (!isTrackingConflict(error)) throw error
        await sleep(backoffMs(failures++))
      }
    }
  }

  const follow_ = async (signal: AbortSignal, pollMs: number): Promise<void> => {
    let failures = 0
    while (!signal.aborted) {
      try {
        await catchUp(signal)
        if (signal.aborted) return
        let position = (await status()).position
        const poll = { pollMs, signal, batchSize, after: position }
        for await (const batch of follow(source.log, poll)) {
          position = await step(batch.notifications, position, batch.position)
          failures = 0
        }
      } catch (error) {
        // Its store was closed (its application closed, say): nothing more can be applied.
        if (isEventfoldError(error, 'RecorderClosed')) return
        if (!isPassing(error)) throw error
        await sleep(backoffMs(failures++), signal)
      }
    }
  }

  const run: ProjectionRunner['run'] = async (signal, runOptions = {}) => {
    const pollMs = runOptions.pollMs ?? 1000
    if (!runOptions.lease) return follow_(signal, pollMs)
    const name = `project ${projection.name} v${projection.version}`
    const what = `projection "${projection.name}"`
    return whileLeased(store, name, what, signal, pollMs, (leased) => follow_(leased, pollMs))
  }

  let controller: AbortController | undefined
  let running: Promise<void> | undefined
  return {
    name: projection.name,
    version: projection.version,
    catchUp,
    run,
    start: (startOptions = {}) => {
      if (controller)
        throw new EventfoldError('InvalidArgument', `projection "${projection.name}" is running already`)
      const abort = new AbortController()
      controller = abort
      const { onError, ...runOptions } = startOptions
      running = run(abort.signal, runOptions).catch((error: unknown) => {
        if (onError) onError(error)
        else
          process.emitWarning(
            `projection ${projection.name} v${projection.version} stopped: ${String(error)}`,
          )
      })
    },
    stop: async () => {
      controller?.abort()
      await running
      controller = undefined
      running = undefined
    },
    lag: async () => {
      // Read only: a version that never ran is at 0, not ready (and is not registered by asking).
      const [versions, head] = await Promise.all([
        store.selectProjections(projection.name),
        source.log.maxId(),
      ])
      const current = versions.find((s) => s.version === projection.version)
      const position = current?.position ?? 0
      return {
        name: projection.name,
        version: projection.version,
        position,
        head,
        behind: Math.max(0, head - position),
        ready: current?.ready ?? false,
      }
    },
    deadLetters: () => store.selectDeadLetters(projection),
    waitFor: (notificationId, waitOptions) =>
      waitForProjection(store, projection, notificationId, waitOptions),
  }
}
