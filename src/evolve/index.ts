// eventfold/evolve: folding events into state, evolve-only views, versioned states for snapshots.

export { type Evolve, fold } from './fold.js'
export { advance, initial, type Versioned } from './versioned.js'
export { project, type View, view } from './view.js'
