// eventfold/testing: given/when/then for deciders and fast-check laws (needs fast-check installed).

export {
  type ConformanceCase,
  type RecorderFactory,
  rejectsWith,
  storedEvent,
  withRecorder,
} from './conformance.js'
export { given, type Outcome } from './given.js'
export {
  type AppOutcome,
  type AppRecorder,
  type AppScenario,
  type GivenAppOptions,
  type GivenStreams,
  givenApp,
} from './given-app.js'
export {
  checkCodecRoundTrip,
  checkIdempotent,
  checkInvariant,
  checkNoMutation,
  deepFreeze,
  type LawOptions,
  type Reached,
  reachable,
  replay,
} from './laws.js'
export { projectionConformance } from './projection-conformance.js'
export { recorderConformance } from './recorder-conformance.js'
