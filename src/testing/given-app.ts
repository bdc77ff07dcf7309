// Given / when / then for an application, on any recorder: events given on streams are stored as the
// application stores them (codec, mapper, recorder), and the new events are read back and decoded.

import { deepStrictEqual, fail } from 'node:assert/strict'
import type { Either } from 'fp-ts/lib/Either.js'
import {
  type Aggregate,
  type Application,
  type ApplicationOptions,
  application,
} from '../application/index.js'
import { left, right } from '../codec/index.js'
import type { Decider } from '../decide/index.js'
import { createMemoryRecorder } from '../store/index.js'
import type { RecorderFactory } from './conformance.js'
import { list, show } from './law-report.js'

/** A recorder as `application()` takes it. */
export type AppRecorder = NonNullable<ApplicationOptions['recorder']>

/**
 * How a scenario builds its application: a fresh recorder from `recorder` (a memory recorder by
 * default) and any application option; the environment is read only if `env` is given.
 */
export interface GivenAppOptions extends Partial<Omit<ApplicationOptions, 'aggregates' | 'recorder'>> {
  readonly recorder?: RecorderFactory<AppRecorder>
}

/** The outcome of an application scenario; each method runs it on a fresh recorder, then closes that. */
export interface AppOutcome<E, R> {
  /** The rejection, or the events the command appended, as read back from the recorder and decoded. */
  result(): Promise<Either<R, readonly E[]>>
  /** Resolves if the command appended exactly these events; rejects with an AssertionError otherwise. */
  thenEvents(expected: readonly E[]): Promise<void>
  /** Resolves if the command was rejected with exactly this reason; rejects with an AssertionError if not. */
  thenRejects(expected: R): Promise<void>
}

/** An application scenario waiting for its command. */
export interface AppScenario<C, E, R> {
  /** The command to execute on aggregate `id`, after the given events. */
  when(id: string, command: C): AppOutcome<E, R>
}

/** The events already on each stream, by aggregate id. */
export type GivenStreams<E> = Readonly<Record<string, readonly E[]>>

/** The aggregate's twin whose command is a list of events to append as they are. */
const seederOf = <C, S, E, R>(aggregate: Aggregate<C, S, E, R>): Aggregate<readonly E[], S, E> => {
  const { initialState, evolve } = aggregate.decider
  const decider: Decider<readonly E[], S, E> = { initialState, evolve, decide: (events) => events }
  return { ...aggregate, decider }
}

/** The events of these notifications, decoded by the application (all of one aggregate, by its codec). */
const readBack = async <E>(app: Application, ids: readonly number[]): Promise<readonly E[]> => {
  const [first, last] = [ids[0], ids.at(-1)]
  if (first === undefined || last === undefined) return []
  const entries = await app.read(first, last - first + 1)
  return entries
    .filter((entry) => ids.includes(entry.notification.id))
    .map((entry) =>
      // The notifications were appended by `execute` for this aggregate and decoded by its codec.
      entry._tag === 'Event' ? (entry.event as E) : fail(`event ${entry.notification.id} was erased`),
    )
}

/** Stores the given events, executes the command, and reads back what it appended. */
const run = async <C, S, E, R>(
  aggregate: Aggregate<C, S, E, R>,
  streams: GivenStreams<E>,
  options: GivenAppOptions,
  id: string,
  command: C,
): Promise<Either<R, readonly E[]>> => {
  const { recorder: factory = createMemoryRecorder, ...rest } = options
  const recorder = await factory()
  const settings = { name: 'given', env: {}, ...rest, recorder }
  try {
    const seeder = seederOf(aggregate)
    const seeding = application({ ...settings, aggregates: [seeder] })
    for (const [stream, events] of Object.entries(streams)) await seeding.execute(seeder, stream, events)
    const app = application({ ...settings, aggregates: [aggregate] })
    const outcome = await app.execute(aggregate, id, command)
    if (outcome._tag === 'Left') return left(outcome.left)
    return right(await readBack<E>(app, outcome.right.notificationIds))
  } finally {
    await recorder.close()
  }
}

/**
 * Starts an application scenario: `streams` holds the events already on each aggregate's stream,
 * appended through the aggregate's codec and the mapper as an application appends them.
 */
export const givenApp = <C, S, E, R>(
  aggregate: Aggregate<C, S, E, R>,
  streams: GivenStreams<E> = {},
  options: GivenAppOptions = {},
): AppScenario<C, E, R> => ({
  when: (id, command) => {
    const result = () => run(aggregate, streams, options, id, command)
    return {
      result,
      thenEvents: async (expected) => {
        const outcome = await result()
        if (outcome._tag === 'Left')
          fail(`expected events, but the command was rejected: ${show(outcome.left)}`)
        deepStrictEqual(outcome.right, expected)
      },
      thenRejects: async (expected) => {
        const outcome = await result()
        if (outcome._tag === 'Right')
          fail(`expected a rejection, but the command appended ${list(outcome.right)}`)
        deepStrictEqual(outcome.left, expected)
      },
    }
  },
})
