// eventfold/runners: followers and runners for systems of applications, and projections — in
// memory (createProjection) or durable, documents or SQL tables kept exactly once.

export {
  createDocumentProjection,
  type DocumentProjectionOptions,
  type DocumentProjectionRunner,
  type DocumentReader,
  documentReader,
  type ProjectionStore,
} from './documents.js'
export type { Lag, PoisonPolicy, ProjectionRunner } from './durable.js'
export {
  createFollower,
  type Follower,
  type FollowerOptions,
  type LogSource,
  type PolicyRejection,
} from './follower.js'
export { createProjection, type Projection, type Projector } from './projection.js'
export { createRunner, type Runner, type RunnerOptions, type SystemPart } from './runner.js'
export {
  createSqlProjection,
  type SqlProjection,
  type SqlProjectionOptions,
  sqlProjection,
} from './sql-projection.js'
