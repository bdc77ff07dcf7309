// The PostgreSQL recorder, on the `postgres` package: group-committed appends with gap-free
// notification ids in commit order (see schema.ts), pages for every read, LISTEN/NOTIFY wake-ups.

import postgres from 'postgres'
import { isEventfoldError } from '../../codec/index.js'
import {
  concurrencyError,
  invalidArgument,
  isConcurrencyError,
  isRolledBack,
  isTrackingConflict,
  isTransient,
  recorderClosed,
} from '../errors.js'
import { withEventIds } from '../event-id.js'
import { createListeners } from '../listeners.js'
import type { SqlProjectionRecorder } from '../projections.js'
import type { Recorder } from '../recorder.js'
import type { InsertOptions, StoredEvent } from '../records.js'
import { checkCount, checkStoredEvent, checkStreamId, checkTracking } from '../validate.js'
import { type Batch, createWrite } from './append.js'
import { arrayLiteral } from './arrays.js'
import {
  type EventRow,
  LOG_COLUMNS,
  type SnapshotRow,
  STREAM_COLUMNS,
  snapshotOf,
  toNotification,
} from './event-rows.js'
import { createGroupCommit } from './group-commit.js'
import { createPostgresLeases } from './lease.js'
import { ensureSchema } from './migrate.js'
import { backoffMs, driverConfig, type PostgresRecorderOptions } from './options.js'
import { createPostgresProjections, type PostgresTransaction } from './projections.js'
import { createReader } from './reader.js'
import { type Names, namesOf } from './schema.js'
import { translate } from './translate.js'

export type { PostgresRecorderOptions } from './options.js'

/** A PostgreSQL recorder; `sql` is its driver instance, for tests and tools that need to look inside. */
export interface PostgresRecorder extends Recorder, SqlProjectionRecorder<PostgresTransaction> {
  readonly names: Names
  readonly sql: postgres.Sql
}

const bytes = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** How a failed operation may be tried again: every transient failure, or only a rolled-back transaction. */
type Retry = 'transient' | 'rolledBack'

/** Creates a PostgreSQL recorder. It connects lazily and checks (or creates) its schema on first use. */
export const createPostgresRecorder = (options: PostgresRecorderOptions = {}): PostgresRecorder => {
  const names = namesOf(options.schema ?? 'public', options.prefix ?? 'eventfold_')
  const config = driverConfig(options)
  const connect = (max: number) =>
    options.url === undefined ? postgres({ ...config, max }) : postgres(options.url, { ...config, max })
  // Streams are read on a connection of their own (see reader.ts): one of the pool's `max`.
  const separate = config.max > 1
  const sql = connect(separate ? config.max - 1 : config.max)
  const replyTimeoutMs = options.replyTimeoutMs ?? 30_000
  const reader = createReader(sql, connect, separate, replyTimeoutMs)
  const retryForMs = options.retryForMs ?? 10_000
  const maxBackoff = options.maxBackoffMs ?? 500
  const pooled = options.transactionPooling === true
  let closed = false
  let schemaReady: Promise<void> | undefined
  // Once the schema is known to be current, queries go out without waiting a turn on it.
  let schemaChecked = false

  const schema = (): Promise<void> => {
    schemaReady ??= ensureSchema(sql, names, options.createTables ?? true).then(
      () => {
        schemaChecked = true
      },
      (error: unknown) => {
        schemaReady = undefined
        throw error
      },
    )
    return schemaReady
  }

  /**
   * Runs `action` once the schema is current, translating driver errors. A transient failure
   * (`retry`: any, or only a rolled-back transaction) runs it again after a pause, for up to retryForMs.
   */
  const run = async <T>(
    action: () => Promise<T>,
    context: Record<string, unknown> = {},
    retry: Retry = 'transient',
  ): Promise<T> => {
    const started = performance.now()
    for (let attempt = 0; ; attempt++) {
      if (closed) throw recorderClosed('postgres')
      try {
        if (!schemaChecked) await schema()
        return await action()
      } catch (caught) {
        const error = translate(caught, context)
        const again = retry === 'transient' ? isTransient(error) : isRolledBack(error)
        if (!again || closed || performance.now() - started > retryForMs) throw error
        await sleep(backoffMs(attempt, maxBackoff))
      }
    }
  }

  const write = createWrite(sql, names, (action) => run(action, {}, 'rolledBack'))
  const leases = createPostgresLeases(sql, names, (action) => run(action), options.leaseTtlMs ?? 10_000)
  const local = createListeners()

  const writer = createGroupCommit<Batch, readonly number[]>(write, {
    writers: options.writers ?? 1,
    maxSize: options.maxGroupEvents ?? 5_000,
    stallMs: 1_000,
    deadlineMs: replyTimeoutMs,
    timedOut: () =>
      translate(
        Object.assign(new Error(`no reply to an append within ${replyTimeoutMs} ms`), {
          code: 'CONNECTION_CLOSED',
        }),
      ),
  })

  /** The notification ids of a batch that was committed, or undefined when it was not. */
  const committedIds = async (batch: Batch): Promise<readonly number[] | undefined> => {
    if (batch.events.length === 0) {
      const { tracking } = batch
      return tracking && (await hasTracking(tracking.upstream, tracking.notificationId)) ? [] : undefined
    }
    const ids = batch.events.map((e) => e.eventId as string)
    const rows = await run(
      () => sql<{ event_id: string; notification_id: string; stream_id: string; version: string }[]>`
        select event_id, notification_id, stream_id, version from ${sql.unsafe(names.events)}
        where event_id = any(${arrayLiteral(ids)}::uuid[])`,
    )
    if (rows.length === 0) return undefined
    const byId = new Map(rows.map((r) => [r.event_id, r]))
    return batch.events.map((event) => {
      const row = byId.get(event.eventId as string)
      // An id stored for another event (or only part of an atomic batch found) is a conflict, not this batch.
      if (!row || row.stream_id !== event.streamId || Number(row.version) !== event.version)
        throw concurrencyError(event.streamId, event.version, undefined, event.eventId)
      return Number(row.notification_id)
    })
  }

  /**
   * An append whose outcome was lost with its connection: it is looked up by its event ids (or its
   * tracking row) and sent again only if it is not there — so it is stored once, and a conflict
   * with its own earlier attempt is recognised as the success it is.
   */
  const resolveUnknown = async (batch: Batch, lost: unknown): Promise<readonly number[]> => {
    const started = performance.now()
    let last = lost
    for (let attempt = 0; !closed && performance.now() - started <= retryForMs; attempt++) {
      await sleep(backoffMs(attempt, maxBackoff))
      try {
        const found = await committedIds(batch)
        if (found) return found
        try {
          return await writer.submit(batch, Math.max(1, batch.events.length))
        } catch (error) {
          // A conflict may be with this batch's own first attempt, committed after the lookup.
          if (!isConcurrencyError(error) && !isTrackingConflict(error)) throw error
          const committed = await committedIds(batch)
          if (committed) return committed
          throw error
        }
      } catch (error) {
        if (!isTransient(error)) throw error
        last = error
      }
    }
    throw last
  }

  const insertEvents = async (
    events: readonly StoredEvent[],
    opts: InsertOptions = {},
  ): Promise<readonly number[]> => {
    if (closed) throw recorderClosed('postgres')
    for (const event of events) checkStoredEvent(event)
    const tracking = opts.tracking
    if (tracking) {
      checkCount('tracking.notificationId', tracking.notificationId, 1)
      if (typeof tracking.upstream !== 'string' || tracking.upstream.length === 0)
        checkStreamId(tracking.upstream)
      checkTracking(tracking)
    }
    if (events.length === 0 && !tracking) return []
    const batch: Batch = { events: withEventIds(events), tracking }
    try {
      const ids = await writer.submit(batch, Math.max(1, events.length))
      if (pooled && ids.length > 0) local.wake()
      return ids
    } catch (error) {
      if (!isTransient(error) || !isEventfoldError(error, 'ConnectionError')) throw error
      const ids = await resolveUnknown(batch, error)
      if (pooled && ids.length > 0) local.wake()
      return ids
    }
  }

  const hasTracking = async (upstream: string, notificationId: number): Promise<boolean> => {
    const rows = await run(
      () =>
        sql`select 1 from ${sql.unsafe(names.tracking)} where upstream = ${upstream} and notification_id = ${notificationId}`,
    )
    return rows.length > 0
  }

  return {
    names,
    sql,
    ...createPostgresProjections(sql, names, run),
    insertEvents,
    selectEvents: async (
      streamId,
      { after = 0, upTo = Number.MAX_SAFE_INTEGER, backwards = false, limit } = {},
    ) => {
      checkStreamId(streamId)
      checkCount('after', after, 0)
      checkCount('upTo', upTo, 0)
      if (limit !== undefined) checkCount('limit', limit, 0)
      const rows = await run(
        () =>
          reader.read(
            (db) => db<EventRow[]>`
              select ${db.unsafe(STREAM_COLUMNS)} from ${db.unsafe(names.events)}
              where stream_id = ${streamId} and version > ${after} and version <= ${upTo}
              order by version ${backwards ? db`desc` : db`asc`} limit ${limit ?? null}`,
          ),
        { streamId },
      )
      return rows.map((row) => toNotification(row, streamId))
    },
    selectNotifications: async (start, limit, { stop = Number.MAX_SAFE_INTEGER, types } = {}) => {
      checkCount('start', start, 1)
      checkCount('limit', limit, 0)
      checkCount('stop', stop, 0)
      const rows = await run(
        () => sql<EventRow[]>`
          select ${sql.unsafe(LOG_COLUMNS)} from ${sql.unsafe(names.events)}
          where notification_id >= ${start} and notification_id <= ${stop}
          ${types ? sql`and type = any(${arrayLiteral(types)}::text[])` : sql``}
          order by notification_id limit ${limit}`,
      )
      return rows.map((row) => toNotification(row))
    },
    maxNotificationId: async () => {
      const [row] = await run(
        () => sql<{ max: string | null }[]>`select max(notification_id) from ${sql.unsafe(names.events)}`,
      )
      return Number(row?.max ?? 0)
    },
    maxTrackingId: async (upstream) => {
      const [row] = await run(
        () =>
          sql<
            { max: string | null }[]
          >`select max(notification_id) from ${sql.unsafe(names.tracking)} where upstream = ${upstream}`,
      )
      return Number(row?.max ?? 0)
    },
    hasTracking,
    selectTrackers: async () => {
      const rows = await run(
        () => sql<{ upstream: string; max: string }[]>`
          select upstream, max(notification_id) as max from ${sql.unsafe(names.tracking)}
          group by upstream order by upstream collate "C"`,
      )
      return rows.map((row) => ({ upstream: row.upstream, notificationId: Number(row.max) }))
    },
    insertSnapshot: async (snapshot) => {
      checkStoredEvent(snapshot)
      const { streamId, version, type, schemaVersion, data } = snapshot
      await run(
        () => sql`
          insert into ${sql.unsafe(names.snapshots)} (stream_id, version, type, schema_version, data)
          values (${streamId}, ${version}, ${type}, ${schemaVersion}, ${Buffer.from(data.buffer, data.byteOffset, data.byteLength)})
          on conflict (stream_id, version) do update
          set type = excluded.type, schema_version = excluded.schema_version, data = excluded.data`,
        { streamId, version },
      )
    },
    selectSnapshot: async (streamId, upTo = Number.MAX_SAFE_INTEGER) => {
      checkStreamId(streamId)
      checkCount('upTo', upTo, 0)
      const [row] = await run(
        () => sql<SnapshotRow[]>`
          select stream_id, version, type, schema_version, data from ${sql.unsafe(names.snapshots)}
          where stream_id = ${streamId} and version <= ${upTo} order by version desc limit 1`,
        { streamId },
      )
      return row ? snapshotOf(row) : undefined
    },
    insertDataKey: async (subject, wrapped) => {
      checkStreamId(subject)
      const [row] = await run(
        () => sql<{ wrapped: Uint8Array }[]>`
          with inserted as (
            insert into ${sql.unsafe(names.keys)} (subject, wrapped) values (${subject}, ${bytes(wrapped)})
            on conflict (subject) do nothing returning wrapped
          )
          select wrapped from inserted union all select wrapped from ${sql.unsafe(names.keys)} where subject = ${subject}
          limit 1`,
      )
      // A key committed by a racing writer after this statement began is not in its snapshot: read again.
      const found =
        row ??
        (
          await run(
            () =>
              sql<
                { wrapped: Uint8Array }[]
              >`select wrapped from ${sql.unsafe(names.keys)} where subject = ${subject}`,
          )
        )[0]
      if (!found)
        throw translate(new Error(`the data key of "${subject}" was deleted while it was being stored`))
      return new Uint8Array(found.wrapped)
    },
    selectDataKeys: async (subjects) => {
      const rows = await run(
        () => sql<{ subject: string; wrapped: Uint8Array }[]>`
          select subject, wrapped from ${sql.unsafe(names.keys)} where subject = any(${arrayLiteral(subjects)}::text[])`,
      )
      return new Map(rows.map((r) => [r.subject, new Uint8Array(r.wrapped)]))
    },
    replaceDataKey: async (subject, wrapped) => {
      const result = await run(
        () =>
          sql`update ${sql.unsafe(names.keys)} set wrapped = ${bytes(wrapped)} where subject = ${subject}`,
      )
      if (result.count !== 1) throw invalidArgument(`subject "${subject}" has no data key`, { subject })
    },
    deleteDataKey: async (subject) => {
      await run(() => sql`delete from ${sql.unsafe(names.keys)} where subject = ${subject}`)
    },
    replaceEventData: async (rows) => {
      const blob = Buffer.concat(rows.map((r) => r.data))
      await run(() =>
        sql.begin(async (tx) => {
          const result = await tx`
            update ${tx.unsafe(names.events)} e set data = substring(${blob}::bytea from (r.stop - r.len + 1)::integer for r.len)
            from (
              select u.*, sum(u.len) over (order by u.ord) as stop
              from unnest(${arrayLiteral(rows.map((r) => r.streamId))}::text[], ${arrayLiteral(rows.map((r) => r.version))}::int8[],
                ${arrayLiteral(rows.map((r) => r.data.byteLength))}::int4[]) with ordinality as u(stream_id, version, len, ord)
            ) r
            where e.stream_id = r.stream_id and e.version = r.version`
          if (result.count !== rows.length) {
            throw invalidArgument(`only ${result.count} of ${rows.length} events exist; nothing was replaced`)
          }
        }),
      )
    },
    acquireLease: async (name) => {
      if (closed) throw recorderClosed('postgres')
      return leases.acquireLease(name)
    },
    subscribe: async (listener) => {
      if (closed) throw recorderClosed('postgres')
      // Through a transaction pooler LISTEN cannot work: this process's commits wake its listeners,
      // and followers poll for the commits of others.
      if (pooled) return local.add(listener)
      const { unlisten } = await run(() => sql.listen(names.channel, () => listener()))
      return async () => {
        if (!closed) await unlisten()
      }
    },
    close: async () => {
      if (closed) return
      // A write with no reply gives up on its callers after replyTimeoutMs; close does not wait longer.
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([
        writer.idle(),
        new Promise((resolve) => {
          timer = setTimeout(resolve, replyTimeoutMs)
        }),
      ])
      clearTimeout(timer)
      await leases.releaseAll()
      closed = true
      local.clear()
      // A connection killed by the server can keep the driver waiting for its end: give up on it after a second.
      await Promise.all([sql.end({ timeout: 1 }), reader.end()])
    },
  }
}
