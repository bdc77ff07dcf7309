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
  type StoredEvent,
  toDomain,
} from '../store/index.js'
import { type Aggregate, type AnyAggregate, checkName, streamIdOf } from './aggregate.js'
import { type Environment, readConfig, recorderFor } from './config.js'

/** What a successful `execute` did: the new events, and the state and version after them. */
export interface Executed<S, E> {
  readonly streamId: string
  readonly events: readonly E[]
  readonly state: S
  readonly version: number
  /** The notification ids of the new events, in order (empty when the command changed nothing). */
  readonly notificationIds: readonly number[]
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

  const load = async <S, E>(
    aggregate: Aggregate<unknown, S, E, unknown>,
    streamId: string,
    upTo?: number,
  ): Promise<Versioned<S>> => {
    const { decider, codec } = aggregate
    let state = decider.initialState
    let version = 0
    for (;;) {
      const page = await recorder.selectEvents(streamId, {
        after: version,
        limit: PAGE,
        ...(upTo === undefined ? {} : { upTo }),
      })
      for (const event of page) {
        if (event.version !== version + 1) throw gap(streamId, version, event)
        state = decider.evolve(state, toDomain(mapper, codec, event))
        version = event.version
      }
      if (page.length < PAGE) break
    }
    return version === 0 ? initial(state) : { state, version }
  }

  const execute = async <C, S, E, R>(
    aggregate: Aggregate<C, S, E, R>,
    id: string,
    command: C,
  ): Promise<Either<R, Executed<S, E>>> => {
    const streamId = streamOf(aggregate, id)
    const { decider, codec } = aggregate
    for (let attempt = 0; ; attempt++) {
      const current = await load(aggregate, streamId)
      const decision = toEither(decider.decide(command, current.state))
      if (decision._tag === 'Left') return left(decision.left)
      const events = decision.right
      const stored = events.map((event, i) =>
        mapper.toStored(streamId, current.version + i + 1, codec.encode(event)),
      )
      let notificationIds: readonly number[] = []
      try {
        if (stored.length > 0) notificationIds = await recorder.insertEvents(stored)
      } catch (error) {
        if (!isConcurrencyError(error) || attempt >= maxRetries) throw error
        await backoff(attempt)
        continue
      }
      let state = current.state
      for (const event of events) state = decider.evolve(state, event)
      return right({ streamId, events, state, version: current.version + events.length, notificationIds })
    }
  }

  return {
    name,
    recorder,
    log: createNotificationLog(recorder),
    execute,
    get: async (aggregate, id, options = {}) =>
      load(
        aggregate,
        streamOf(aggregate, id),
        options.version === undefined ? undefined : checkCount('version', options.version, 0),
      ),
    close: () => recorder.close(),
  }
}

/** Events read per query when loading a stream: long streams are read in pages, never all at once. */
const PAGE = 1000

const backoff = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** attempt)))

const gap = (streamId: string, version: number, event: StoredEvent): EventfoldError =>
  new EventfoldError(
    'CorruptStream',
    `stream "${streamId}" jumps from version ${version} to ${event.version}`,
    {
      streamId,
      version: event.version,
    },
  )
