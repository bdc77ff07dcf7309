// eventfold/log: the notification log of an application.

export { createNotificationLog, MAX_PAGE, type NotificationLog } from './notification-log.js'
