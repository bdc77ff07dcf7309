// The repository: reconstructs aggregates from their streams — from the newest of a cached state or a
// snapshot, then the events after it, read in pages and folded as they come.

import { EventfoldError, type StateCodec } from '../codec/index.js'
import { initial, type Versioned } from '../evolve/index.js'
import {
  type AggregateRecorder,
  type DataKeys,
  type Instrumentation,
  isEventfoldError,
  type Mapper,
  noInstrumentation,
  type SnapshotRecorder,
  type StoredEvent,
  toDomain,
} from '../store/index.js'
import type { Aggregate } from './aggregate.js'
import { createLru } from './lru.js'

/**
 * Events read per query when loading a stream: long streams are read in pages, never all at once
 * (at most two pages are held: the one being folded and the next, asked for meanwhile).
 */
export const PAGE = 1000

/** Where a load starts and stops, and whether snapshots may be used. */
export interface LoadOptions<S> {
  readonly upTo?: number
  /** A state known to be correct at its version, to fold on from. */
  readonly from?: Versioned<S>
  /** Use the latest snapshot at or below `upTo` when no later starting point is at hand. */
  readonly snapshots?: StateCodec<S>
}

/** Loads and snapshots aggregates; `cached` may be stale and is only a starting point for `execute`. */
export interface Repository {
  load<S, E>(
    aggregate: Aggregate<never, S, E, unknown>,
    streamId: string,
    options?: LoadOptions<S>,
  ): Promise<Versioned<S>>
  cached<S>(aggregate: Aggregate<never, S, unknown, unknown>, streamId: string): Versioned<S> | undefined
  /** Keeps a state for `execute` to start from; a terminal one is dropped instead (no command may follow it). */
  remember<S>(
    aggregate: Aggregate<never, S, unknown, unknown>,
    streamId: string,
    versioned: Versioned<S>,
  ): void
  /** Drops every cached state (after an erasure, say). */
  forget(): void
  saveSnapshot<S>(
    codec: StateCodec<S>,
    streamId: string,
    versioned: Versioned<S>,
    subject?: Subject,
  ): Promise<void>
}

/** A data subject and its key, for records encrypted per subject. */
export interface Subject {
  readonly id: string
  readonly key: Uint8Array
}

/** Loads the data keys that records need (undefined when none of them is encrypted per subject). */
export type KeysFor = (records: readonly StoredEvent[]) => Promise<DataKeys | undefined>

const gap = (streamId: string, version: number, event: StoredEvent): EventfoldError =>
  new EventfoldError(
    'CorruptStream',
    `stream "${streamId}" jumps from version ${version} to ${event.version}`,
    {
      streamId,
      version: event.version,
    },
  )

/**
 * Creates a repository over a recorder, with a cache of `cacheSize` states (0 for none). A snapshot
 * that cannot be read (altered, or not upcastable) is reported to `warn` and the stream is replayed
 * instead — never applied raw; one from a newer schema than the code knows is an error.
 */
export const createRepository = (
  recorder: AggregateRecorder & Partial<SnapshotRecorder>,
  mapper: Mapper,
  cacheSize: number,
  warn: (warning: EventfoldError) => void,
  keysFor: KeysFor,
  instrumentation: Instrumentation = noInstrumentation,
): Repository => {
  const cache = createLru<Versioned<unknown>>(cacheSize)

  const cached = <S>(
    _aggregate: Aggregate<never, S, unknown, unknown>,
    streamId: string,
  ): Versioned<S> | undefined =>
    // Stream ids carry the aggregate's name, so a state cached under one was folded by its decider: an S.
    cache.get(streamId) as Versioned<S> | undefined

  const remember = <S>(
    aggregate: Aggregate<never, S, unknown, unknown>,
    streamId: string,
    versioned: Versioned<S>,
  ): void => {
    if (aggregate.decider.isTerminal?.(versioned.state)) cache.delete(streamId)
    else cache.set(streamId, versioned)
  }

  const snapshotOf = async <S>(
    codec: StateCodec<S>,
    streamId: string,
    upTo?: number,
  ): Promise<Versioned<S> | undefined> => {
    const record = await recorder.selectSnapshot?.(streamId, upTo)
    if (!record) return undefined
    try {
      const keys = await keysFor([record])
      const decoded = codec.decode(mapper.toEncoded(record, { kind: 'snapshot', ...(keys ? { keys } : {}) }))
      if (decoded._tag === 'Right') return { state: decoded.right, version: record.version }
      const { code, message, path } = decoded.left
      const error = new EventfoldError(
        code,
        `snapshot of "${streamId}" at version ${record.version}: ${message}`,
        {
          streamId,
          version: record.version,
          type: record.type,
          path,
        },
      )
      if (code === 'UnsupportedSchemaVersion') throw error
      warn(error)
    } catch (error) {
      if (!isEventfoldError(error) || ['UnsupportedSchemaVersion', 'EventErased'].includes(error.code))
        throw error
      warn(error)
    }
    return undefined
  }

  const load = <S, E>(
    aggregate: Aggregate<never, S, E, unknown>,
    streamId: string,
    options: LoadOptions<S> = {},
  ): Promise<Versioned<S>> => {
    if (instrumentation === noInstrumentation) return loadFrom(aggregate, streamId, options)
    const attributes = { 'eventfold.aggregate': aggregate.name, 'eventfold.stream_id': streamId }
    return instrumentation.span('eventfold.load', attributes, (span) =>
      loadFrom(aggregate, streamId, options, (read, fromSnapshot) =>
        span.setAttributes({ 'eventfold.events_read': read, 'eventfold.from_snapshot': fromSnapshot }),
      ),
    )
  }

  /** Loads from the best starting point; `report` is told how many events were read, and whether from a snapshot. */
  const loadFrom = async <S, E>(
    aggregate: Aggregate<never, S, E, unknown>,
    streamId: string,
    options: LoadOptions<S>,
    report?: (read: number, fromSnapshot: boolean) => void,
  ): Promise<Versioned<S>> => {
    const { upTo, snapshots } = options
    const fits = (v: Versioned<S> | undefined) =>
      v && (upTo === undefined || v.version <= upTo) ? v : undefined
    const known = fits(options.from ?? cached(aggregate, streamId))
    const snapshot = known ? undefined : snapshots && (await snapshotOf(snapshots, streamId, upTo))
    const start = known ?? snapshot ?? initial(aggregate.decider.initialState)
    let { state, version } = start
    const pageAfter = (after: number) =>
      recorder.selectEvents(
        streamId,
        upTo === undefined ? { after, limit: PAGE } : { after, limit: PAGE, upTo },
      )
    let next = pageAfter(version)
    for (;;) {
      const page = await next
      if (page.length === 0) break
      // After a full page the next is asked for at once, so that it is read while this one is folded.
      const full = page.length === PAGE
      if (full) {
        next = pageAfter((page[page.length - 1] as StoredEvent).version)
        next.catch(() => {}) // awaited on the next turn; a fold that fails first leaves it unread
      }
      const keys = await keysFor(page)
      for (const event of page) {
        if (event.version !== version + 1) throw gap(streamId, version, event)
        state = aggregate.decider.evolve(state, toDomain(mapper, aggregate.codec, event, keys))
        version = event.version
      }
      if (!full) break
    }
    const loaded = version === start.version ? start : { state, version }
    report?.(version - start.version, snapshot !== undefined)
    if (upTo === undefined) remember(aggregate, streamId, loaded)
    return loaded
  }

  const saveSnapshot = async <S>(
    codec: StateCodec<S>,
    streamId: string,
    { state, version }: Versioned<S>,
    subject?: Subject,
  ): Promise<void> => {
    if (!recorder.insertSnapshot)
      throw new EventfoldError('InvalidConfiguration', 'the recorder does not store snapshots')
    await recorder.insertSnapshot(
      mapper.toStored(streamId, version, codec.encode(state), {
        kind: 'snapshot',
        ...(subject ? { subject } : {}),
      }),
    )
  }

  return {
    load,
    cached,
    remember,
    forget: () => cache.clear(),
    saveSnapshot,
  }
}
