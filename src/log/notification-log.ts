// The notification log: every event of an application in one total order, read in pages.

import {
  type ApplicationRecorder,
  checkCount,
  type Notification,
  type SelectNotificationsOptions,
} from '../store/index.js'

/** Reads an application's notifications: ids 1, 2, 3 … in commit order, without gaps a reader could skip. */
export interface NotificationLog {
  /** Notifications with id >= start, at most `limit`, optionally up to `stop` and of some types only. */
  select(start: number, limit: number, options?: SelectNotificationsOptions): Promise<readonly Notification[]>
  /** The highest notification id, 0 when the log is empty. */
  maxId(): Promise<number>
}

/** The most notifications one `select` returns, whatever limit is asked for. */
export const MAX_PAGE = 10_000

/** Creates the notification log of a recorder. */
export const createNotificationLog = (recorder: ApplicationRecorder): NotificationLog => ({
  select: (start, limit, options) => {
    checkCount('start', start, 1)
    checkCount('limit', limit, 0)
    return recorder.selectNotifications(start, Math.min(limit, MAX_PAGE), options)
  },
  maxId: () => recorder.maxNotificationId(),
})
