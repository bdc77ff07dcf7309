// Executing several instructions as one unit: every aggregate decides, and all their events (across
// streams) are appended in one atomic batch, with an optional tracking row — the write of a process
// application, exactly once per upstream notification.

import type { Either } from 'fp-ts/lib/Either.js'
import { left, right } from '../codec/index.js'
import { toEither } from '../decide/index.js'
import type { Versioned } from '../evolve/index.js'
import {
  type ApplicationRecorder,
  type EventMetadata,
  type InsertOptions,
  type Instrumentation,
  isConcurrencyError,
  type Mapper,
  type StoredEvent,
  type Tracking,
} from '../store/index.js'
import { type Aggregate, encodeAt } from './aggregate.js'
import type { SubjectKeys } from './data-keys.js'
import type { Instruction } from './instruction.js'
import type { LoadOptions, Repository } from './repository.js'
import { streamClosed } from './stream-closed.js'
import { type SealMetadata, withMetadata } from './with-metadata.js'

/** What one instruction did: its rejection, or the events it added and the state after them. */
export type InstructionResult = Either<
  unknown,
  { readonly streamId: string; readonly events: readonly unknown[]; readonly version: number }
>

/** What `executeAll` did: one result per instruction, and the notification ids of all new events. */
export interface ExecutedAll {
  readonly results: readonly InstructionResult[]
  readonly notificationIds: readonly number[]
}

/** The parts of an application that executing needs. */
export interface ExecutionContext {
  /** Telemetry hooks, when the application was given some. */
  readonly instrumentation?: Instrumentation
  /** Seals the sensitive fields of metadata, when the application has any. */
  readonly sealMetadata?: SealMetadata
  readonly recorder: ApplicationRecorder
  readonly mapper: Mapper
  readonly repository: Repository
  readonly subjects: SubjectKeys
  readonly maxRetries: number
  readonly streamOf: (aggregate: Aggregate<never, unknown, unknown, unknown>, id: string) => string
  readonly loadOptions: <S>(aggregate: Aggregate<never, S, unknown, unknown>) => LoadOptions<S>
  readonly backoff: (attempt: number) => Promise<void>
  /** Called for each stream whose state moved, after the batch committed (cache, snapshots). */
  readonly committed: <S>(
    aggregate: Aggregate<never, S, unknown, unknown>,
    streamId: string,
    from: number,
    to: Versioned<S>,
  ) => Promise<void>
}

/** Instructions that share their events' metadata: what a policy decided for one upstream notification. */
export interface InstructionGroup {
  readonly instructions: readonly Instruction[]
  readonly metadata?: EventMetadata
}

/**
 * Decides every instruction in order (several on one stream see each other's events) and appends
 * all events with `tracking` in one atomic batch; on a ConcurrencyError everything is read and
 * decided again. A rejected instruction adds nothing; the others still apply. The results are in
 * the order of the instructions, group after group.
 */
export const executeAll = async (
  ctx: ExecutionContext,
  groups: readonly InstructionGroup[],
  tracking?: Tracking,
): Promise<ExecutedAll> => {
  for (let attempt = 0; ; attempt++) {
    // Every stream the instructions address, read at once (a batch of a process application
    // addresses many): then each instruction decides on its stream's state, in order.
    const loaded = await loadAll(ctx, groups)
    const states = new Map<string, Versioned<unknown>>()
    const touched: (() => Promise<void>)[] = []
    const stored: StoredEvent[] = []
    const results: InstructionResult[] = []
    for (const { instructions, metadata } of groups)
      for (const instruction of instructions) {
        await instruction.apply(async (aggregate, id, command) => {
          const streamId = ctx.streamOf(aggregate, id)
          const { decider, codec } = aggregate
          // States in `states` were folded by this aggregate's decider: the stream id names it.
          const current =
            (states.get(streamId) as Versioned<typeof decider.initialState> | undefined) ??
            (loaded.get(streamId) as Versioned<typeof decider.initialState> | undefined) ??
            (await ctx.repository.load(aggregate, streamId, ctx.loadOptions(aggregate)))
          if (decider.isTerminal?.(current.state)) {
            results.push(left(streamClosed(streamId, current.version)))
            return
          }
          const decision = toEither(decider.decide(command, current.state))
          if (decision._tag === 'Left') {
            results.push(left(decision.left))
            return
          }
          const events = decision.right
          const subject = events.length > 0 ? await ctx.subjects.subjectFor(aggregate, id) : undefined
          events.forEach((event, i) => {
            stored.push(
              withMetadata(
                ctx.mapper.toStored(
                  streamId,
                  current.version + i + 1,
                  encodeAt(codec, event, streamId, current.version + i + 1),
                  subject ? { subject } : {},
                ),
                metadata,
                ctx.sealMetadata,
              ),
            )
          })
          let state = current.state
          for (const event of events) state = decider.evolve(state, event)
          const next = { state, version: current.version + events.length }
          states.set(streamId, next)
          if (events.length > 0) touched.push(() => ctx.committed(aggregate, streamId, current.version, next))
          results.push(right({ streamId, events, version: next.version }))
        })
      }
    try {
      const notificationIds =
        stored.length > 0 || tracking ? await append(ctx, stored, tracking ? { tracking } : {}) : []
      for (const done of touched) await done()
      return { results, notificationIds }
    } catch (error) {
      if (!isConcurrencyError(error)) throw error
      ctx.instrumentation?.count('eventfold.conflicts', 1)
      if (attempt >= ctx.maxRetries) throw error
      ctx.instrumentation?.count('eventfold.retries', 1)
      await ctx.backoff(attempt)
    }
  }
}

/** How many streams `loadAll` reads at the same time. */
const CONCURRENT_LOADS = 16

/** The current state of every stream the instructions address, read CONCURRENT_LOADS at a time. */
const loadAll = async (
  ctx: ExecutionContext,
  groups: readonly InstructionGroup[],
): Promise<ReadonlyMap<string, Versioned<unknown>>> => {
  const loads = new Map<string, () => Promise<Versioned<unknown>>>()
  for (const { instructions } of groups)
    for (const instruction of instructions)
      instruction.apply((aggregate, id) => {
        const streamId = ctx.streamOf(aggregate, id)
        if (!loads.has(streamId))
          loads.set(streamId, () => ctx.repository.load(aggregate, streamId, ctx.loadOptions(aggregate)))
      })
  const states = new Map<string, Versioned<unknown>>()
  if (loads.size < 2) return states
  const pending = [...loads]
  for (let i = 0; i < pending.length; i += CONCURRENT_LOADS) {
    const slice = pending.slice(i, i + CONCURRENT_LOADS)
    const read = await Promise.all(slice.map(([, load]) => load()))
    slice.forEach(([streamId], j) => {
      states.set(streamId, read[j] as Versioned<unknown>)
    })
  }
  return states
}

/** Appends a batch; when instrumented, in an "eventfold.append" span, with its size and latency measured. */
export const append = (
  ctx: ExecutionContext,
  stored: readonly StoredEvent[],
  options: InsertOptions = {},
): Promise<readonly number[]> => {
  const telemetry = ctx.instrumentation
  if (!telemetry) return ctx.recorder.insertEvents(stored, options)
  const streams = new Set(stored.map((e) => e.streamId))
  const attributes = {
    'eventfold.events': stored.length,
    'eventfold.streams': streams.size,
    'eventfold.stream_id': streams.size === 1 ? stored[0]?.streamId : undefined,
    'eventfold.tracking.upstream': options.tracking?.upstream,
  }
  return telemetry.span('eventfold.append', attributes, async (span) => {
    const started = performance.now()
    try {
      const ids = await ctx.recorder.insertEvents(stored, options)
      span.setAttributes({
        'eventfold.notification.first': ids[0],
        'eventfold.notification.last': ids.at(-1),
      })
      return ids
    } finally {
      telemetry.record('eventfold.append.duration', performance.now() - started)
      telemetry.record('eventfold.append.size', stored.length)
    }
  })
}
