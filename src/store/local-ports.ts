// The wake-ups and leases of recorders that live in one process (memory, SQLite): both in-process.

import { createLocalLeases, type LeaseRecorder } from './lease.js'
import { createListeners } from './listeners.js'
import type { ApplicationRecorder } from './recorder.js'

/** In-process subscriptions and leases, guarded by the recorder's `open` check. */
export const createLocalPorts = (open: () => void) => {
  const listeners = createListeners()
  const leases = createLocalLeases()
  const ports: Pick<ApplicationRecorder, 'subscribe'> & LeaseRecorder = {
    acquireLease: async (name) => {
      open()
      return leases.acquireLease(name)
    },
    subscribe: async (listener) => {
      open()
      return listeners.add(listener)
    },
  }
  return { ports, wake: listeners.wake, clear: listeners.clear }
}
