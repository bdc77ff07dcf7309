// eventfold/process: policies (pure functions from upstream events to instructions), document
// projections (pure definitions of durable read models) and systems.

export { type EventSource, on, type Policy, policy, type Rule, type Upstream } from './policy.js'
export {
  type DocumentCodec,
  type DocumentProjection,
  documentProjection,
  type EncodedDocument,
  indexedFields,
} from './projection.js'
export { edges, type System, system } from './system.js'
