// Log readers: follow an application's notification log from a position, in batches, woken by new
// commits (with a slow poll as a safety net), never skipping an id and never repeating one.

import type { Notification } from '../store/index.js'
import type { NotificationLog } from './notification-log.js'

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
 * interval) before reading again. Ends when `signal` aborts.
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
  const unsubscribe = await log.subscribe(onWake)
  signal?.addEventListener('abort', onWake)
  try {
    while (!signal?.aborted) {
      woken = false
      const batch = await readBatch(log, position, options)
      position = batch.position
      if (batch.notifications.length > 0) yield batch
      else if (!woken && !signal?.aborted) await idle(options.pollMs ?? 1000, (resolve) => (wake = resolve))
      wake = undefined
    }
  } finally {
    signal?.removeEventListener('abort', onWake)
    await unsubscribe()
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
