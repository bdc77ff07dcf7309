// Waiting for a projection: resolve once the version that serves a reader has applied a given
// notification — woken at once by batches committed in this process, polling for the others.

import { EventfoldError } from '../codec/index.js'
import { checkCount, type ProjectionRecorder, type ProjectionVersion } from '../store/index.js'

// Wakes the readers in this process that wait for a projection to move (others poll), by name:
// a move of any version of it wakes them, and they read which version serves.
const moved = new Map<string, Set<() => void>>()

/** Tells waiting readers in this process that a projection moved. */
export const announceMove = ({ name }: ProjectionVersion): void => {
  for (const wake of moved.get(name) ?? []) wake()
}

/** Calls `wake` whenever a version of the projection `name` moves in this process, until the returned function is called. */
export const onMove = (name: string, wake: () => void): (() => void) => {
  const waiting = moved.get(name) ?? new Set<() => void>()
  moved.set(name, waiting.add(wake))
  return () => {
    waiting.delete(wake)
    if (waiting.size === 0 && moved.get(name) === waiting) moved.delete(name)
  }
}

/**
 * Resolves once the version that serves readers of `projection` (the newest ready one at or below
 * its version, else the newest) has applied `notificationId`; Timeout after `timeoutMs` (5,000).
 * Woken at once by batches committed in this process, it polls for others every `pollMs` (100).
 */
export const waitForProjection = async (
  store: ProjectionRecorder,
  { name, version }: ProjectionVersion,
  notificationId: number,
  options: { readonly timeoutMs?: number; readonly pollMs?: number } = {},
): Promise<void> => {
  checkCount('notificationId', notificationId, 0)
  const timeoutMs = checkCount('timeoutMs', options.timeoutMs ?? 5000, 0)
  const pollMs = checkCount('pollMs', options.pollMs ?? 100, 1)
  const serving = async (): Promise<number> => {
    const versions = (await store.selectProjections(name)).filter((s) => s.version <= version)
    return (versions.filter((s) => s.ready).at(-1) ?? versions.at(-1))?.position ?? 0
  }
  const deadline = Date.now() + timeoutMs
  let wake: (() => void) | undefined
  const stopWaking = onMove(name, () => wake?.())
  try {
    for (;;) {
      const position = await serving()
      if (position >= notificationId) return
      const left = deadline - Date.now()
      if (left <= 0)
        throw new EventfoldError(
          'Timeout',
          `projection "${name}" reached notification ${position}, not ${notificationId}, within ${timeoutMs} ms`,
          { projection: name, notificationId, position },
        )
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(pollMs, left))
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wake = undefined
    }
  } finally {
    stopWaking()
  }
}
