// eventfold/application: aggregates and applications (repository, command execution, notification log).

export { isLeft, isRight, match } from '../codec/index.js'
export {
  type Aggregate,
  type AnyAggregate,
  aggregate,
  checkName,
  type EventOfAggregate,
  encodeAt,
  type Named,
  streamIdOf,
} from './aggregate.js'
export {
  type Application,
  type ApplicationOptions,
  application,
  type EntryOf,
  type Executed,
  type ExecuteOptions,
} from './application.js'
export {
  type Config,
  type Environment,
  type Persistence,
  type RecorderConfig,
  readConfig,
  recorderFor,
} from './config.js'
export { createSubjectKeys, type SubjectKeys } from './data-keys.js'
export { createLogDecoder, decodeNotification, type LogEntry } from './decode-log.js'
export type { ExecutedAll, InstructionGroup, InstructionResult } from './execute-all.js'
export { type Instruction, type InstructionVisitor, instruction } from './instruction.js'
export { type MigrateOptions, type MigrateResult, migrate } from './migrate.js'
export { streamClosed } from './stream-closed.js'
export { causedBy, correlationOf } from './with-metadata.js'
