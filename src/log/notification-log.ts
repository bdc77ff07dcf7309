// The notification log: every event of an application in one total order, read in pages or in
// sections named "first,last" as the Python eventsourcing library's remote log does.

import { EventfoldError } from '../codec/index.js'
import {
  type ApplicationRecorder,
  checkCount,
  type Notification,
  type SelectNotificationsOptions,
  type Unsubscribe,
} from '../store/index.js'

/** A named range of the log: its id ("first,last"), the notifications in it, and the next section's id. */
export interface Section {
  readonly id: string
  readonly items: readonly Notification[]
  /** The id of the section after this one, present when this one is full. */
  readonly next?: string
}

/** Reads an application's notifications: ids 1, 2, 3 … in commit order, without gaps a reader could skip. */
export interface NotificationLog {
  /** Notifications with id >= start, at most `limit`, optionally up to `stop` and of some types only. */
  select(start: number, limit: number, options?: SelectNotificationsOptions): Promise<readonly Notification[]>
  /** The section "first,last": notifications first…last (at most MAX_PAGE of them). */
  section(id: string): Promise<Section>
  /** The highest notification id, 0 when the log is empty. */
  maxId(): Promise<number>
  /** Calls `listener` after new notifications are committed: a wake-up, not a delivery. */
  subscribe(listener: () => void): Promise<Unsubscribe>
}

/** The most notifications one `select` or `section` returns, whatever is asked for. */
export const MAX_PAGE = 10_000

const SECTION = /^(\d{1,15}),(\d{1,15})$/

/** Parses a section id "first,last"; InvalidArgument if it is not one. */
export const parseSection = (id: string): { readonly first: number; readonly last: number } => {
  const match = SECTION.exec(id)
  const first = Number(match?.[1])
  const last = Number(match?.[2])
  if (!match || first < 1 || last < first || last - first >= MAX_PAGE) {
    throw new EventfoldError(
      'InvalidArgument',
      `section id ${JSON.stringify(id)} must be "first,last" with 1 <= first <= last and at most ${MAX_PAGE} ids`,
      { section: id },
    )
  }
  return { first, last }
}

/** Creates the notification log of a recorder. */
export const createNotificationLog = (recorder: ApplicationRecorder): NotificationLog => ({
  select: async (start, limit, options) =>
    recorder.selectNotifications(
      checkCount('start', start, 1),
      Math.min(checkCount('limit', limit, 0), MAX_PAGE),
      options,
    ),
  section: async (id) => {
    const { first, last } = parseSection(id)
    const size = last - first + 1
    const items = await recorder.selectNotifications(first, size, { stop: last })
    return items.length === size ? { id, items, next: `${last + 1},${last + size}` } : { id, items }
  },
  maxId: () => recorder.maxNotificationId(),
  subscribe: (listener) => recorder.subscribe(listener),
})
