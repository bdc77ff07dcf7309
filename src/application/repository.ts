// The repository: reconstructs aggregates from their streams, read in pages and folded as they come,
// with a bounded cache of recent states that is fast-forwarded (never trusted blindly) on reads.

import { EventfoldError } from '../codec/index.js'
import { initial, type Versioned } from '../evolve/index.js'
import { type AggregateRecorder, type Mapper, type StoredEvent, toDomain } from '../store/index.js'
import type { Aggregate } from './aggregate.js'
import { createLru } from './lru.js'

/** Events read per query when loading a stream: long streams are read in pages, never all at once. */
export const PAGE = 1000

/** Loads aggregates; `cached` may be stale and is only a starting point for `execute`. */
export interface Repository {
  /** The state at `upTo` (or now), folded from `from` (or from the cache, or from the start). */
  load<S, E>(
    aggregate: Aggregate<never, S, E, unknown>,
    streamId: string,
    options?: LoadOptions<S>,
  ): Promise<Versioned<S>>
  /** The last state this process saw for the stream, possibly stale. */
  cached<S>(aggregate: Aggregate<never, S, unknown, unknown>, streamId: string): Versioned<S> | undefined
  remember(streamId: string, versioned: Versioned<unknown>): void
}

/** Where a load starts and stops. */
export interface LoadOptions<S> {
  readonly upTo?: number
  readonly from?: Versioned<S>
}

const gap = (streamId: string, version: number, event: StoredEvent): EventfoldError =>
  new EventfoldError(
    'CorruptStream',
    `stream "${streamId}" jumps from version ${version} to ${event.version}`,
    {
      streamId,
      version: event.version,
    },
  )

/** Creates a repository over a recorder, with a cache of `cacheSize` states (0 for none). */
export const createRepository = (
  recorder: AggregateRecorder,
  mapper: Mapper,
  cacheSize: number,
): Repository => {
  const cache = createLru<Versioned<unknown>>(cacheSize)

  const cached = <S>(
    _aggregate: Aggregate<never, S, unknown, unknown>,
    streamId: string,
  ): Versioned<S> | undefined =>
    // Stream ids carry the aggregate's name, so a state cached under one was folded by its decider: an S.
    cache.get(streamId) as Versioned<S> | undefined

  const load = async <S, E>(
    aggregate: Aggregate<never, S, E, unknown>,
    streamId: string,
    options: LoadOptions<S> = {},
  ): Promise<Versioned<S>> => {
    const { upTo } = options
    const hint = options.from ?? cached(aggregate, streamId)
    const start =
      hint && (upTo === undefined || hint.version <= upTo) ? hint : initial(aggregate.decider.initialState)
    let { state, version } = start
    for (;;) {
      const page = await recorder.selectEvents(streamId, {
        after: version,
        limit: PAGE,
        ...(upTo === undefined ? {} : { upTo }),
      })
      for (const event of page) {
        if (event.version !== version + 1) throw gap(streamId, version, event)
        state = aggregate.decider.evolve(state, toDomain(mapper, aggregate.codec, event))
        version = event.version
      }
      if (page.length < PAGE) break
    }
    const loaded = version === start.version ? start : { state, version }
    if (upTo === undefined) cache.set(streamId, loaded)
    return loaded
  }

  return { load, cached, remember: (streamId, versioned) => cache.set(streamId, versioned) }
}
