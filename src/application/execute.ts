// Executing one command: decide on the current state — a cached or assumed-new state is only a
// starting point — and append at its version, retrying a conflict (or not, with expectedVersion).

import type { Either } from 'fp-ts/lib/Either.js'
import { EventfoldError, left, right } from '../codec/index.js'
import { toEither } from '../decide/index.js'
import { initial, type Versioned } from '../evolve/index.js'
import { isConcurrencyError, type StoredEvent, type TelemetrySpan } from '../store/index.js'
import { type Aggregate, encodeAt } from './aggregate.js'
import { append, type ExecutionContext } from './execute-all.js'
import type { Subject } from './repository.js'
import { streamClosed } from './stream-closed.js'
import type { Executed, ExecuteOptions } from './types.js'
import { withMetadata } from './with-metadata.js'

/**
 * Decides on the current state, always. A cached or assumed-new state saves a read, but a
 * decision made on one is only returned once it is known to be current: an append at its version
 * succeeds or conflicts (then the stream is read and the command decided again), and a rejection
 * or an empty decision is confirmed by reading what follows its version (decided again if anything did).
 */
export const executeOne = async <C, S, E, R>(
  ctx: ExecutionContext,
  aggregate: Aggregate<C, S, E, R>,
  id: string,
  streamId: string,
  command: C,
  options: ExecuteOptions,
  span?: TelemetrySpan,
): Promise<Either<R, Executed<S, E>>> => {
  const { decider } = aggregate
  const { expectedVersion } = options
  let current: Versioned<S> | undefined = options.expectNew
    ? initial(decider.initialState)
    : ctx.repository.cached(aggregate, streamId)
  let fresh = false
  for (let attempt = 0; ; attempt++) {
    if (!current) {
      current = await ctx.repository.load(aggregate, streamId, ctx.loadOptions(aggregate))
      fresh = true
    }
    // A terminal state is final: whether read just now or cached, no command is decided on it.
    if (decider.isTerminal?.(current.state)) throw streamClosed(streamId, current.version)
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      if (fresh) throw versionMismatch(streamId, expectedVersion, current.version)
      current = undefined
      continue
    }
    const decision = toEither(decider.decide(command, current.state))
    if (!fresh && (decision._tag === 'Left' || decision.right.length === 0)) {
      // Decided on a state that was not just read: confirm it before answering.
      const confirmed: Versioned<S> = await ctx.repository.load(aggregate, streamId, { from: current })
      fresh = true
      if (confirmed.version !== current.version) {
        current = confirmed
        continue
      }
    }
    if (decision._tag === 'Left') return left(decision.left)
    const events = decision.right
    let notificationIds: readonly number[] = []
    try {
      if (events.length > 0) {
        const subject = aggregate.subjectOf ? await ctx.subjects.subjectFor(aggregate, id) : undefined
        const stored = storedEvents(ctx, aggregate, streamId, current.version, events, subject, options)
        notificationIds = await (ctx.instrumentation
          ? append(ctx, stored)
          : ctx.recorder.insertEvents(stored))
      }
    } catch (error) {
      if (!isConcurrencyError(error)) throw error
      ctx.instrumentation?.count('eventfold.conflicts', 1, { 'eventfold.aggregate': aggregate.name })
      span?.addEvent('conflict', { attempt, 'eventfold.version': current.version })
      if (expectedVersion !== undefined) {
        const now = await ctx.repository.load(aggregate, streamId, { from: current })
        throw versionMismatch(streamId, expectedVersion, now.version, error)
      }
      if (attempt >= ctx.maxRetries) throw error
      ctx.instrumentation?.count('eventfold.retries', 1, { 'eventfold.aggregate': aggregate.name })
      span?.addEvent('retry', { attempt: attempt + 1 })
      await ctx.backoff(attempt)
      current = await ctx.repository.load(aggregate, streamId, { from: current })
      fresh = true
      continue
    }
    const after = evolveAll(decider, current, events)
    await ctx.committed(aggregate, streamId, current.version, after)
    return right({ streamId, events, state: after.state, version: after.version, notificationIds })
  }
}

/** The stored form of events decided at version `from`, with the command's metadata. */
const storedEvents = <E>(
  ctx: ExecutionContext,
  aggregate: Aggregate<never, unknown, E, unknown>,
  streamId: string,
  from: number,
  events: readonly E[],
  subject: Subject | undefined,
  options: ExecuteOptions,
): StoredEvent[] => {
  const record = subject ? { subject } : undefined
  const stored: StoredEvent[] = new Array(events.length)
  for (let i = 0; i < events.length; i++) {
    const version = from + i + 1
    const encoded = encodeAt(aggregate.codec, events[i] as E, streamId, version)
    stored[i] = withMetadata(
      ctx.mapper.toStored(streamId, version, encoded, record),
      options.metadata,
      ctx.sealMetadata,
    )
  }
  return stored
}

/** The state after `events`, at the version after the last of them. */
const evolveAll = <S, E>(
  decider: { evolve(state: S, event: E): S },
  from: Versioned<S>,
  events: readonly E[],
): Versioned<S> => {
  let state = from.state
  for (const event of events) state = decider.evolve(state, event)
  return { state, version: from.version + events.length }
}

/** The ConcurrencyError of an `expectedVersion` that is not the stream's version. */
const versionMismatch = (
  streamId: string,
  expected: number,
  actual: number,
  cause?: unknown,
): EventfoldError =>
  new EventfoldError(
    'ConcurrencyError',
    `stream "${streamId}" is at version ${actual}, not the expected ${expected}`,
    { streamId, version: expected, expectedVersion: expected, actualVersion: actual },
    cause === undefined ? undefined : { cause },
  )
