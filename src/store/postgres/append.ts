// One group-commit write: the fast-path statement, and on a key conflict the checked append that
// says which batches conflict (see schema.ts for why ids come out in commit order).

import type postgres from 'postgres'
import { concurrencyError, isConcurrencyError, trackingConflict } from '../errors.js'
import type { StoredEvent, Tracking } from '../records.js'
import { trackedIds } from '../validate.js'
import { arrayLiteral as a } from './arrays.js'
import type { Pending } from './group-commit.js'
import { appendOneStatement, appendStatement, type Names } from './schema.js'
import { translate } from './translate.js'

/** How long appends keep taking the lock after a numbering race with another process. */
const LOCKED_FOR_MS = 10_000

/** One caller's atomic batch: its events and its tracking row. */
export interface Batch {
  readonly events: readonly StoredEvent[]
  readonly tracking: Tracking | undefined
}

interface Checked {
  readonly last_id: string
  readonly failed: number[]
  readonly conflict_stream: string[]
  readonly conflict_version: number[]
  readonly conflict_event: (string | null)[]
  readonly tracking_failed: number[]
}

/** Runs a query once the schema is current, translating driver errors (and retrying a rolled-back one). */
export type Run = <T>(action: () => Promise<T>) => Promise<T>

/** The group's rows as the columns the append statements take (the data of all rows in one blob). */
const columns = (group: readonly Pending<Batch, readonly number[]>[]) => {
  const c = {
    batch: [] as number[],
    stream: [] as string[],
    version: [] as number[],
    type: [] as string[],
    schemaVersion: [] as number[],
    length: [] as number[],
    data: [] as Uint8Array[],
    eventId: [] as string[],
    metadata: [] as (string | null)[],
    trackBatch: [] as number[],
    upstream: [] as string[],
    trackId: [] as number[],
    blob: EMPTY,
  }
  for (let b = 0; b < group.length; b++) {
    const { item } = group[b] as Pending<Batch, readonly number[]>
    for (const e of item.events) {
      c.batch.push(b)
      c.stream.push(e.streamId)
      c.version.push(e.version)
      c.type.push(e.type)
      c.schemaVersion.push(e.schemaVersion)
      c.length.push(e.data.byteLength)
      c.data.push(e.data)
      c.eventId.push(e.eventId as string)
      c.metadata.push(e.metadata === undefined ? null : JSON.stringify(e.metadata))
    }
    // A batch's tracking is a row per notification it records: (after, notificationId].
    if (item.tracking)
      for (const id of trackedIds(item.tracking)) {
        c.trackBatch.push(b)
        c.upstream.push(item.tracking.upstream)
        c.trackId.push(id)
      }
  }
  // Set on the object as built (adding a key to an object made by a spread costs V8 a new map).
  c.blob = Buffer.concat(c.data)
  return c
}

const EMPTY: Buffer = Buffer.alloc(0)

/** Settles every caller of a group that was stored whole: ids from `lastId + 1` on, in group order. */
const stored = (group: readonly Pending<Batch, readonly number[]>[], lastId: number): void => {
  let next = lastId + 1
  for (const { item, resolve } of group) {
    const ids: number[] = new Array(item.events.length)
    for (let i = 0; i < ids.length; i++) ids[i] = next + i
    next += ids.length
    resolve(ids)
  }
}

/** Settles each caller of the group: its notification ids, or its conflict. */
const settle = (group: readonly Pending<Batch, readonly number[]>[], result: Checked): void => {
  // `failed` lists the batches with a version conflict first (aligned with conflict_stream), then tracking failures
  const conflicts = new Map(result.conflict_stream.map((_, i) => [result.failed[i] ?? -1, i]))
  const trackingFailed = new Set(result.tracking_failed)
  let next = Number(result.last_id) + 1
  group.forEach(({ item, resolve, reject }, b) => {
    const conflict = conflicts.get(b)
    if (conflict !== undefined) {
      reject(
        concurrencyError(
          result.conflict_stream[conflict] ?? '',
          Number(result.conflict_version[conflict]),
          undefined,
          result.conflict_event[conflict] ?? undefined,
        ),
      )
    } else if (trackingFailed.has(b) && item.tracking) {
      reject(trackingConflict(item.tracking.upstream, item.tracking.notificationId))
    } else {
      resolve(item.events.map((_, i) => next + i))
      next += item.events.length
    }
  })
}

/** Creates the function that writes one group of batches. */
export const createWrite = (sql: postgres.Sql, names: Names, run: Run) => {
  const statements = {
    one: [appendOneStatement(names, false), appendOneStatement(names, true)],
    many: [appendStatement(names, false), appendStatement(names, true)],
  } as const
  // Until then, appends take the lock first: another process was seen numbering at the same time.
  let lockedUntil = 0
  const numberingRace = (error: unknown): boolean =>
    isConcurrencyError(error) && String(error.context.constraint).endsWith('events_pkey')
  const checked = `select last_id, to_json(failed) as failed, to_json(conflict_stream) as conflict_stream,
    to_json(conflict_version) as conflict_version, to_json(conflict_event) as conflict_event,
    to_json(tracking_failed) as tracking_failed from ${names.appendChecked}(
    $1::int4[], $2::text[], $3::int8[], $4::text[], $5::int4[], $6::bytea, $7::int4[], $8::uuid[],
    $9::int4[], $10::text[], $11::int8[], $12::text[]::jsonb[])`

  return async (group: readonly Pending<Batch, readonly number[]>[]): Promise<void> => {
    const c = columns(group)
    const rows = () => [a(c.stream), a(c.version), a(c.type), a(c.schemaVersion)]
    const single = c.upstream.length === 0 && c.stream.length === 1
    try {
      const [texts, params] = single
        ? [
            statements.one,
            [
              c.stream[0],
              c.version[0],
              c.type[0],
              c.schemaVersion[0],
              c.blob,
              c.eventId[0],
              c.metadata[0] ?? null,
            ],
          ]
        : [
            statements.many,
            [...rows(), c.blob, a(c.length), a(c.eventId), a(c.upstream), a(c.trackId), a(c.metadata)],
          ]
      const send = (locked: boolean) =>
        run(() =>
          sql.unsafe<{ last_id: string }[]>(texts[locked ? 1 : 0], params as never[], { prepare: true }),
        )
      const locked = performance.now() < lockedUntil
      let result: { last_id: string }[]
      try {
        result = await send(locked)
      } catch (error) {
        // Nothing of a statement that failed is stored: numbered again under the lock, it goes in.
        if (locked || !numberingRace(error)) throw error
        lockedUntil = performance.now() + LOCKED_FOR_MS
        result = await send(true)
      }
      stored(group, Number(result[0]?.last_id ?? '0'))
    } catch (error) {
      if (!isConcurrencyError(error)) throw error
      // Some batch of the group conflicts: let the checked append find which, and commit the rest.
      const params = [
        a(c.batch),
        ...rows(),
        c.blob,
        a(c.length),
        a(c.eventId),
        a(c.trackBatch),
        a(c.upstream),
        a(c.trackId),
        a(c.metadata),
      ]
      const [result] = await run(() => sql.unsafe<Checked[]>(checked, params as never[], { prepare: true }))
      if (!result) throw translate(new Error('the checked append returned no row'))
      settle(group, result)
    }
  }
}
