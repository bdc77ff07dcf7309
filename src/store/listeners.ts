// In-process wake-ups for recorders that have no database notifications of their own.

import type { Unsubscribe } from './recorder.js'

/** Listeners woken after commits in this process. */
export interface Listeners {
  add(listener: () => void): Unsubscribe
  /** Wakes every listener on a later microtask, so a listener never runs inside a write. */
  wake(): void
  clear(): void
}

/** Creates an empty set of listeners. */
export const createListeners = (): Listeners => {
  const listeners = new Set<() => void>()
  return {
    add: (listener) => {
      listeners.add(listener)
      return async () => {
        listeners.delete(listener)
      }
    },
    wake: () => {
      for (const listener of listeners) queueMicrotask(listener)
    },
    clear: () => listeners.clear(),
  }
}
