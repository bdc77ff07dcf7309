// eventfold/log: the notification log of an application, its sections, and log readers.

export { type Batch, type FollowOptions, follow, readBatch } from './log-reader.js'
export {
  createNotificationLog,
  MAX_PAGE,
  type NotificationLog,
  parseSection,
  type Section,
} from './notification-log.js'
export { pause } from './pause.js'
export {
  createLogHandler,
  createRemoteLog,
  type LogHandlerOptions,
  type RemoteLogHeaders,
  type RemoteLogOptions,
} from './remote-log.js'
