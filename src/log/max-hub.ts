// One log subscription for all the event streams of a handler: a commit wakes it once, the highest
// id is read once, and every open stream is told — N streams cost one query per wake-up, not N.

import type { Unsubscribe } from '../store/index.js'
import type { NotificationLog } from './notification-log.js'

/** Streams that want the log's highest id whenever it may have grown. */
export interface MaxHub {
  /** Adds a stream; resolves to the highest id now and a function that removes the stream. */
  join(send: (max: number) => void, failed: () => void): Promise<{ max: number; leave: () => void }>
  /** How many streams are open. */
  size(): number
}

/** Creates a hub over `log`: subscribed while at least one stream is open. */
export const createMaxHub = (log: NotificationLog): MaxHub => {
  const streams = new Map<(max: number) => void, () => void>()
  let subscribed: Promise<Unsubscribe> | undefined
  let reading = false
  let again = false

  // Wake-ups that come while the highest id is being read are folded into one more read.
  const wake = async (): Promise<void> => {
    if (reading) {
      again = true
      return
    }
    reading = true
    try {
      do {
        again = false
        const max = await log.maxId()
        for (const send of streams.keys()) send(max)
      } while (again && streams.size > 0)
    } catch {
      for (const failed of [...streams.values()]) failed() // the clients reconnect
    } finally {
      reading = false
    }
  }

  const release = (): void => {
    const unsubscribing = subscribed
    subscribed = undefined
    void unsubscribing?.then((unsubscribe) => unsubscribe()).catch(() => {})
  }

  return {
    size: () => streams.size,
    join: async (send, failed) => {
      streams.set(send, failed)
      try {
        subscribed ??= log.subscribe(() => void wake())
        await subscribed
        const max = await log.maxId()
        return {
          max,
          leave: () => {
            if (streams.delete(send) && streams.size === 0) release()
          },
        }
      } catch (error) {
        if (streams.delete(send) && streams.size === 0) release()
        throw error
      }
    },
  }
}
