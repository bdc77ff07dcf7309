// Runners for a system: settle it in one thread (deterministic, for tests and scripts) or run every
// follower in its own loop (woken by commits, with LISTEN/NOTIFY across processes on PostgreSQL).

import type { Application, Instruction } from '../application/index.js'
import { EventfoldError } from '../codec/index.js'
import { edges, type Policy, type System } from '../process/index.js'
import type { Instrumentation } from '../store/index.js'
import { createFollower, type Follower, type PolicyRejection } from './follower.js'
import { whileLeased } from './leased.js'

/** An application of the system, and the policy it applies to what it follows (if it follows anything). */
export interface SystemPart {
  readonly application: Application
  readonly policy?: Policy<unknown, Instruction>
}

/** How a runner behaves. */
export interface RunnerOptions {
  /** Told of instructions a downstream aggregate rejected (default: ignore them). */
  readonly onRejection?: (rejection: PolicyRejection) => void
  /**
   * Told of a follower that failed while running concurrently, with an error that retrying cannot
   * cure (transient ones are retried with backoff); it stops, the others go on.
   */
  readonly onError?: (error: unknown, follower: Follower) => void
  readonly batchSize?: number
  /** Each follower records a batch of notifications per transaction (default true; see FollowerOptions). */
  readonly batchTransactions?: boolean
  /** Where the followers' batches are traced and their lag measured (default: each downstream application's). */
  readonly instrumentation?: Instrumentation
  /** The most rounds `settle` goes through before it gives up on a system that never quiets down. */
  readonly maxRounds?: number
}

/** Runs a system's followers. */
export interface Runner {
  readonly followers: readonly Follower[]
  /** Processes every pending notification along every edge, round after round, until none is left. */
  settle(): Promise<number>
  /**
   * Starts every follower in its own loop. With `lease`, a follower runs only while it holds the
   * lease "upstream → downstream" in the downstream application's recorder: across processes that
   * run the same system on PostgreSQL, one instance of each follower is active, the others wait;
   * an instance that loses its lease (it stopped renewing it for its time to live) stops following,
   * and another takes over.
   */
  start(options?: { readonly pollMs?: number; readonly lease?: boolean }): void
  /** Stops the loops started by `start`, waiting for the batches in hand and releasing the leases held. */
  stop(): Promise<void>
  /** Stops, then closes every application. */
  close(): Promise<void>
}

/** Runs a follower whenever it holds its lease in the downstream's recorder, until `signal` aborts. */
const withLease = (
  follower: Follower,
  downstream: Application | undefined,
  signal: AbortSignal,
  pollMs: number,
) =>
  whileLeased(
    downstream?.recorder,
    `follow ${follower.upstream} -> ${follower.downstream}`,
    `"${follower.downstream}"`,
    signal,
    pollMs,
    (leased) => follower.run(leased, { pollMs }),
  )

const invalid = (message: string) => new EventfoldError('InvalidConfiguration', message)

/** Checks the parts against the system and creates one follower per edge. */
const followersOf = (
  system: System,
  parts: Readonly<Record<string, SystemPart>>,
  options: RunnerOptions,
): Follower[] => {
  for (const name of system.applications)
    if (!Object.hasOwn(parts, name)) throw invalid(`system application "${name}" is not given`)
  for (const name of Object.keys(parts))
    if (!system.applications.includes(name)) throw invalid(`"${name}" is not in the system`)
  return edges(system).map(([upstream, downstream]) => {
    if (upstream === downstream) throw invalid(`"${downstream}" cannot follow itself`)
    const up = parts[upstream] as SystemPart
    const down = parts[downstream] as SystemPart
    if (!down.policy) throw invalid(`"${downstream}" follows "${upstream}" but has no policy`)
    if (up.application.name !== upstream || down.application.name !== downstream) {
      throw invalid(`the application given for "${downstream}" or "${upstream}" has another name`)
    }
    return createFollower({
      upstream: up.application,
      downstream: down.application,
      policy: down.policy,
      ...(options.onRejection ? { onRejection: options.onRejection } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.batchTransactions === undefined ? {} : { batchTransactions: options.batchTransactions }),
      ...(options.instrumentation ? { instrumentation: options.instrumentation } : {}),
    })
  })
}

/** Creates a runner for a system whose applications and policies are `parts`, by name. */
export const createRunner = (
  system: System,
  parts: Readonly<Record<string, SystemPart>>,
  options: RunnerOptions = {},
): Runner => {
  const followers = followersOf(system, parts, options)
  const maxRounds = options.maxRounds ?? 10_000
  let controller: AbortController | undefined
  let running: Promise<unknown>[] = []

  const stop = async (): Promise<void> => {
    controller?.abort()
    await Promise.all(running)
    controller = undefined
    running = []
  }

  return {
    followers,
    settle: async () => {
      let total = 0
      for (let round = 0; round < maxRounds; round++) {
        let processed = 0
        for (const follower of followers) processed += await follower.pull()
        if (processed === 0) return total
        total += processed
      }
      throw new EventfoldError(
        'RunawaySystem',
        `the system still had work after ${maxRounds} rounds: a policy cycle never ends`,
      )
    },
    start: (startOptions = {}) => {
      if (controller) throw new EventfoldError('InvalidArgument', 'the runner is running already')
      const abort = new AbortController()
      controller = abort
      const pollMs = startOptions.pollMs ?? 1000
      const loop = (follower: Follower) =>
        startOptions.lease
          ? withLease(follower, parts[follower.downstream]?.application, abort.signal, pollMs)
          : follower.run(abort.signal, { pollMs })
      running = followers.map((follower) =>
        loop(follower).catch((error: unknown) => {
          if (options.onError) options.onError(error, follower)
          else
            process.emitWarning(
              `follower ${follower.upstream} → ${follower.downstream} stopped: ${String(error)}`,
            )
        }),
      )
    },
    stop,
    close: async () => {
      await stop()
      for (const name of system.applications) await parts[name]?.application.close()
    },
  }
}
