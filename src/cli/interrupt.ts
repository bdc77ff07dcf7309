// Stopping a long job on SIGINT (Ctrl-C) or SIGTERM after the batch in hand, whose work is then
// committed: a second signal exits at once (the batch in hand is rolled back by the database).

import { pause } from '../log/index.js'
import { EXIT } from './errors.js'

/** An abort signal raised by SIGINT or SIGTERM, until `dispose`. */
export interface Interruption {
  readonly signal: AbortSignal
  dispose(): void
}

/** Listens for SIGINT and SIGTERM: the first aborts `signal`, the second exits with 130. */
export const onInterrupt = (): Interruption => {
  const controller = new AbortController()
  const handler = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted)
    controller.abort()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}

/** Passes before each batch of a job: `wait` throws once interrupted, and paused between batches; `check` only throws. */
export interface BatchGate {
  /** Throws `stop()` once interrupted; after the first batch waits `pauseMs` (waking early on an interruption). */
  wait(): Promise<void>
  /** Throws `stop()` once interrupted. */
  check(): void
}

/** A gate for a job that `signal` interrupts and that pauses `pauseMs` between batches (to spare a busy database). */
export const batchGate = (signal: AbortSignal, pauseMs: number, stop: () => Error): BatchGate => {
  let batches = 0
  const check = () => {
    if (signal.aborted) throw stop()
  }
  return {
    check,
    wait: async () => {
      check()
      if (batches++ > 0 && pauseMs > 0) await pause(pauseMs, signal)
      check()
    },
  }
}
