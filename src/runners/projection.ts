// Projections: a read model folded from an application's log by an evolve-only view, kept in
// memory and rebuilt from the log at start — CQRS views, indexes, counters.

import type { LogEntry } from '../application/index.js'
import { follow } from '../log/index.js'
import { isTransient } from '../store/index.js'
import { backoffMs, type LogSource, sleep } from './follower.js'

/**
 * A read model: its initial state, and how each log entry (an event, or an erased one) changes it.
 * Over an application's aggregates, entries narrow by aggregate name.
 */
export interface Projector<S, Entry = LogEntry> {
  readonly initialState: S
  /** The read model after `entry`. Pure. */
  evolve(state: S, entry: Entry): S
}

/** A projection of one application's log. */
export interface Projection<S> {
  /** The state, and the id of the last notification folded into it. */
  current(): { readonly state: S; readonly position: number }
  /** Folds everything the log holds now; resolves to how many entries that was. */
  catchUp(): Promise<number>
  /** Folds entries as they are committed, until `signal` aborts; transient failures are retried with backoff. */
  run(signal: AbortSignal, options?: { readonly pollMs?: number }): Promise<void>
}

/** Creates a projection that starts from the projector's initial state at position 0. */
export const createProjection = <S, Entry extends LogEntry = LogEntry>(
  source: LogSource<Entry>,
  projector: Projector<S, NoInfer<Entry>>,
  options: { readonly batchSize?: number } = {},
): Projection<S> => {
  const batchSize = options.batchSize ?? 500
  let state = projector.initialState
  let position = 0
  const apply = (entries: readonly Entry[]): number => {
    for (const entry of entries) {
      state = projector.evolve(state, entry)
      position = entry.notification.id
    }
    return entries.length
  }
  return {
    current: () => ({ state, position }),
    catchUp: async () => {
      let folded = 0
      for (;;) {
        const entries = await source.decode(await source.log.select(position + 1, batchSize))
        folded += apply(entries)
        if (entries.length < batchSize) return folded
      }
    },
    run: async (signal, runOptions = {}) => {
      const poll = runOptions.pollMs ? { pollMs: runOptions.pollMs } : {}
      let failures = 0
      while (!signal.aborted) {
        try {
          for await (const batch of follow(source.log, { after: position, batchSize, signal, ...poll })) {
            apply(await source.decode(batch.notifications))
            failures = 0
          }
        } catch (error) {
          if (!isTransient(error)) throw error
          await sleep(backoffMs(failures++), signal)
        }
      }
    },
  }
}
