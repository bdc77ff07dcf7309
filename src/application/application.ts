// The application: loads aggregates from the recorder, decides, appends with optimistic
// concurrency (reload and retry on conflict), and exposes the notification log.

import type { Either } from 'fp-ts/lib/Either.js'
import { left, right } from 'fp-ts/lib/Either.js'
import { EventfoldError } from '../codec/index.js'
import { toEither } from '../decide/index.js'
import { initial, type Versioned } from '../evolve/index.js'
import { createNotificationLog, type NotificationLog } from '../log/index.js'
import {
  type ApplicationRecorder,
  checkCount,
  checkStreamId,
  createMapper,
  isConcurrencyError,
  type Mapper,
} from '../store/index.js'
import { type Aggregate, type AnyAggregate, checkName, streamIdOf } from './aggregate.js'
import { type Environment, readConfig, recorderFor } from './config.js'
import { createRepository } from './repository.js'

/** What a successful `execute` did: the new events, and the state and version after them. */
export interface Executed<S, E> {
  readonly streamId: string
  readonly events: readonly E[]
  readonly state: S
  readonly version: number
  /** The notification ids of the new events, in order (empty when the command changed nothing). */
  readonly notificationIds: readonly number[]
}

/** Per-command options of `execute`. */
export interface ExecuteOptions {
  /**
   * The stream is expected to be new (say, its id was just generated): decide against the initial
   * state without reading. If it exists after all, the append conflicts and execute reads it and
   * decides again, so this is only ever a saved read, never a wrong decision.
   */
  readonly expectNew?: boolean
}

/** How to build an application; a recorder passed here overrides the default (memory). */
export interface ApplicationOptions {
  readonly name: string
  readonly aggregates: readonly AnyAggregate[]
  /** The recorder; without one, the environment chooses (see readConfig), memory by default. */
  readonly recorder?: ApplicationRecorder
  /** The environment to read the configuration from (default `process.env`). */
  readonly env?: Environment
  readonly mapper?: Mapper
  /**
   * How many recent aggregate states to keep in memory (default 1,000; 0 for none). `execute`
   * starts from a cached state without reading (a stale one costs a ConcurrencyError and a
   * re-read); `get` reads the events after it, so it always returns the latest state.
   */
  readonly cacheSize?: number
  /**
   * How many times `execute` reloads and decides again after a ConcurrencyError (default 10), after a
   * random pause of up to 2^attempt ms (at most 100 ms) so that contending writers fall out of step.
   */
  readonly maxRetries?: number
}

/** An event-sourced application: command execution, aggregate queries and the notification log. */
export interface Application {
  readonly name: string
  readonly recorder: ApplicationRecorder
  readonly log: NotificationLog
  /** Loads the aggregate, decides, and appends; a domain rejection comes back on the left. */
  execute<C, S, E, R>(
    aggregate: Aggregate<C, S, E, R>,
    id: string,
    command: C,
    options?: ExecuteOptions,
  ): Promise<Either<R, Executed<S, E>>>
  /** The aggregate's state and version, now or at `version` (a new stream is its initial state at 0). */
  get<C, S, E, R>(
    aggregate: Aggregate<C, S, E, R>,
    id: string,
    options?: { readonly version?: number },
  ): Promise<Versioned<S>>
  close(): Promise<void>
}

/** Creates an application over the given recorder, or a fresh memory recorder. */
export const application = (options: ApplicationOptions): Application => {
  const name = checkName('application', options.name)
  const recorder = options.recorder ?? recorderFor(readConfig(name, options.env), name)
  const mapper = options.mapper ?? createMapper()
  const maxRetries = checkCount('maxRetries', options.maxRetries ?? 10, 0)
  const repository = createRepository(recorder, mapper, checkCount('cacheSize', options.cacheSize ?? 1000, 0))
  const registered = new Set(options.aggregates)
  const names = new Set(options.aggregates.map((a) => a.name))
  if (names.size !== registered.size)
    throw new EventfoldError('InvalidConfiguration', 'aggregate names must be unique')

  const streamOf = (aggregate: AnyAggregate, id: string): string => {
    if (!registered.has(aggregate)) {
      throw new EventfoldError(
        'UnknownAggregate',
        `aggregate "${aggregate.name}" is not part of application "${name}"`,
      )
    }
    return checkStreamId(streamIdOf(aggregate, checkStreamId(id)))
  }

  const execute = async <C, S, E, R>(
    aggregate: Aggregate<C, S, E, R>,
    id: string,
    command: C,
    options: ExecuteOptions = {},
  ): Promise<Either<R, Executed<S, E>>> => {
    const streamId = streamOf(aggregate, id)
    const { decider, codec } = aggregate
    // Start from what this process last saw (or, for a stream known to be new, from nothing):
    // a stale start only costs a ConcurrencyError, after which the stream is read again.
    let current: Versioned<S> | undefined = options.expectNew
      ? initial(decider.initialState)
      : repository.cached(aggregate, streamId)
    for (let attempt = 0; ; attempt++) {
      current ??= await repository.load(aggregate, streamId)
      const decision = toEither(decider.decide(command, current.state))
      if (decision._tag === 'Left') return left(decision.left)
      const events = decision.right
      const from = current.version
      const stored = events.map((event, i) => mapper.toStored(streamId, from + i + 1, codec.encode(event)))
      let notificationIds: readonly number[] = []
      try {
        if (stored.length > 0) notificationIds = await recorder.insertEvents(stored)
      } catch (error) {
        if (!isConcurrencyError(error) || attempt >= maxRetries) throw error
        await backoff(attempt)
        current = await repository.load(aggregate, streamId, { from: current })
        continue
      }
      let state = current.state
      for (const event of events) state = decider.evolve(state, event)
      const version = from + events.length
      repository.remember(streamId, { state, version })
      return right({ streamId, events, state, version, notificationIds })
    }
  }

  return {
    name,
    recorder,
    log: createNotificationLog(recorder),
    execute,
    get: async (aggregate, id, options = {}) =>
      repository.load(
        aggregate,
        streamOf(aggregate, id),
        options.version === undefined ? {} : { upTo: checkCount('version', options.version, 0) },
      ),
    close: () => recorder.close(),
  }
}

const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** attempt)))
