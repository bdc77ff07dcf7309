// eventfold/process: policies (pure functions from upstream events to instructions) and systems.

export { type EventSource, on, type Policy, policy, type Rule, type Upstream } from './policy.js'
export { edges, type System, system } from './system.js'
