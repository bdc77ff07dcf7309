// Log readers: follow an application's notification log from a position, in batches, woken by new
// commits (with a slow poll as a safety net), never skipping an id and never repeating one, riding
// out transient failures (a dropped connection, a server restarting) with backoff.

import { isTransient, type Notification } from '../store/index.js'
import type { NotificationLog } from './notification-log.js'
import { pause } from './pause.js'

/** Where and how to follow a log. */
export interface FollowOptions {
  /** The last notification id already processed (default 0: read from the start). */
  readonly after?: number
  /** Most notifications per batch (default 100). */
  readonly batchSize?: number
  /** Only these event types (the position still moves past the others). */
  readonly types?: readonly string[]
  /** When caught up, poll at least this often even without a wake-up (default 1,000 ms). */
  readonly pollMs?: number
  /** Stop following: the iteration ends after the batch in hand. */
  readonly signal?: AbortSignal
}

/** A batch of notifications, and the position after it (the id to resume after). */
export interface Batch {
  readonly notifications: readonly Notification[]
  readonly position: number
}

/**
 * Reads the next batch after `after`: notifications in id order and the new position. With a type
 * filter, the position moves to the highest id that was committed when the read began, so a rare
 * type is not rescanned from the same place for ever.
 */
export const readBatch = async (
  log: NotificationLog,
  after: number,
  options: Pick<FollowOptions, 'batchSize' | 'types'> = {},
): Promise<Batch> => {
  const batchSize = options.batchSize ?? 100
  if (!options.types) {
    const notifications = await log.select(after + 1, batchSize)
    return { notifications, position: notifications.at(-1)?.id ?? after }
  }
  // Every id up to the max is committed (ids become visible in order), so the scan may stop there.
  const stop = await log.maxId()
  const notifications = await log.select(after + 1, batchSize, { stop, types: options.types })
  return {
    notifications,
    position:
      notifications.length === batchSize ? (notifications.at(-1)?.id ?? after) : Math.max(after, stop),
  }
}

/**
 * Follows the log: yields each non-empty batch, and when caught up waits for a wake-up (or the poll
 * interval) before reading again. Ends when `signal` aborts. A transient failure (see `isTransient`)
 * is retried after a pause (50 ms doubling to 2 s, with jitter) from the same position; any other
 * failure ends the iteration with that error.
 */
export async function* follow(log: NotificationLog, options: FollowOptions = {}): AsyncGenerator<Batch> {
  const { signal } = options
  let position = options.after ?? 0
  let wake: (() => void) | undefined
  let woken = false
  const onWake = () => {
    woken = true
    wake?.()
  }
  const unsubscribe = await retrying(() => log.subscribe(onWake), signal)
  if (!unsubscribe) return
  signal?.addEventListener('abort', onWake)
  try {
    while (!signal?.aborted) {
      woken = false
      const batch = await retrying(() => readBatch(log, position, options), signal)
      if (!batch) break
      position = batch.position
      if (batch.notifications.length > 0) yield batch
      else if (!woken && !signal?.aborted) await idle(options.pollMs ?? 1000, (resolve) => (wake = resolve))
      wake = undefined
    }
  } finally {
    signal?.removeEventListener('abort', onWake)
    await unsubscribe().catch(unlessTransient)
  }
}

/** Rethrows an error unless it is transient (a subscription on a dropped connection is gone anyway). */
const unlessTransient = (error: unknown): void => {
  if (!isTransient(error)) throw error
}

/** A pause before retry `attempt` (from 0): 50 ms doubling to 2 s, with jitter. */
const backoffMs = (attempt: number): number => Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2)

/** Runs `action` until it succeeds, pausing after each transient failure; undefined once `signal` aborts. */
const retrying = async <T>(
  action: () => Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T | undefined> => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await action()
    } catch (error) {
      if (!isTransient(error)) throw error
      if (signal?.aborted) return undefined
      await pause(backoffMs(attempt), signal)
      if (signal?.aborted) return undefined
    }
  }
}

/** Waits `ms`, or less when `register`ed resolver is called. */
const idle = (ms: number, register: (resolve: () => void) => void): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    register(() => {
      clearTimeout(timer)
      resolve()
    })
  })
