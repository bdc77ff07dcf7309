// eventfold/interface: the interface layer — a Fetch-API command handler for an application's
// aggregates (problem+json answers, If-Match, state views) and its Node `http` adapter.

export {
  type CommandDecoder,
  type CommandIssue,
  decodeCommand,
} from './command-decoder.js'
export { type CommandHandlerOptions, createCommandHandler } from './command-handler.js'
export { toNodeListener } from './node.js'
export { type Problem, problem } from './problem.js'
export { type CommandRequest, etagOf, type Route, type RouteSpec, route } from './route.js'
