// Executing one command: decide on the current state — a cached or assumed-new state is only a
// starting point — and append at its version, retrying a conflict (or not, with expectedVersion).

import type { Either } from 'fp-ts/lib/Either.js'
import { EventfoldError, left, right } from '../codec/index.js'
import { toEither } from '../decide/index.js'
import { initial, type Versioned } from '../evolve/index.js'
import { isConcurrencyError } from '../store/index.js'
import { type Aggregate, encodeAt } from './aggregate.js'
import type { ExecutionContext } from './execute-all.js'
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
): Promise<Either<R, Executed<S, E>>> => {
  const { decider, codec } = aggregate
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
    const from = current.version
    const subject = events.length > 0 ? await ctx.subjects.subjectFor(aggregate, id) : undefined
    const stored = events.map((event, i) =>
      withMetadata(
        ctx.mapper.toStored(
          streamId,
          from + i + 1,
          encodeAt(codec, event, streamId, from + i + 1),
          subject ? { subject } : {},
        ),
        options.metadata,
        ctx.sealMetadata,
      ),
    )
    let notificationIds: readonly number[] = []
    try {
      if (stored.length > 0) notificationIds = await ctx.recorder.insertEvents(stored)
    } catch (error) {
      if (!isConcurrencyError(error)) throw error
      if (expectedVersion !== undefined) {
        const now = await ctx.repository.load(aggregate, streamId, { from: current })
        throw versionMismatch(streamId, expectedVersion, now.version, error)
      }
      if (attempt >= ctx.maxRetries) throw error
      await ctx.backoff(attempt)
      current = await ctx.repository.load(aggregate, streamId, { from: current })
      fresh = true
      continue
    }
    let state = current.state
    for (const event of events) state = decider.evolve(state, event)
    const version = from + events.length
    await ctx.committed(aggregate, streamId, from, { state, version })
    return right({ streamId, events, state, version, notificationIds })
  }
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
