// eventfold/decide: the Decider type, decisions, and combinators that compose deciders.

export { adapt, type Iso, mapCommands, mapEvents, mapState } from './adapt.js'
export { combine, type Pair } from './combine.js'
export {
  type ComposedCommand,
  type ComposedEvent,
  type ComposedRejection,
  type ComposedState,
  compose,
  type Parts,
} from './compose.js'
export {
  accept,
  type Decider,
  type Decision,
  isEvents,
  mapDecision,
  reject,
  step,
  toEither,
} from './decider.js'
export { many } from './many.js'
export { type Addressed, type Sum, type Tagged, toLeft, toRight } from './tagged.js'
