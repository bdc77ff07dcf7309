// eventfold/runners: followers and runners for systems of applications.

export {
  createFollower,
  type Follower,
  type FollowerOptions,
  type LogSource,
  type PolicyRejection,
} from './follower.js'
export { createProjection, type Projection, type Projector } from './projection.js'
export { createRunner, type Runner, type RunnerOptions, type SystemPart } from './runner.js'
