// eventfold: the core in one import — deciders, folding, codecs, the memory store and applications.
// Loads none of postgres, better-sqlite3, zod or io-ts.

export {
  type Aggregate,
  type Application,
  aggregate,
  application,
  type Executed,
} from './application/index.js'
export {
  type Codec,
  composeCodecs,
  type Encoded,
  EventfoldError,
  isEventfoldError,
  isLeft,
  isRight,
  jsonCodec,
  manyCodec,
  match,
} from './codec/index.js'
export { accept, combine, compose, type Decider, type Decision, many, reject } from './decide/index.js'
export { fold, type Versioned, type View } from './evolve/index.js'
export { createNotificationLog, type NotificationLog } from './log/index.js'
export {
  type ApplicationRecorder,
  createMemoryRecorder,
  isConcurrencyError,
  type Notification,
  type StoredEvent,
} from './store/index.js'
