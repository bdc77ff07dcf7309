// The PostgreSQL recorder, on the `postgres` package: group-committed appends with gap-free
// notification ids in commit order (see schema.ts), pages for every read, LISTEN/NOTIFY wake-ups.

import postgres from 'postgres'
import { invalidArgument, recorderClosed } from '../errors.js'
import type { Recorder } from '../recorder.js'
import type { InsertOptions, Notification, StoredEvent } from '../records.js'
import { checkCount, checkStoredEvent, checkStreamId } from '../validate.js'
import { type Batch, createWrite } from './append.js'
import { createGroupCommit } from './group-commit.js'
import { createPostgresLeases } from './lease.js'
import { type Names, namesOf, schemaStatements } from './schema.js'
import { translate } from './translate.js'

/** How to reach PostgreSQL and where to keep the tables. */
export interface PostgresRecorderOptions {
  /** A connection string; without one, the standard PG* environment variables are used. */
  readonly url?: string
  /** The schema that holds the tables (default `public`); created if missing. */
  readonly schema?: string
  /** A prefix for the table names (default `eventfold_`), e.g. one per application. */
  readonly prefix?: string
  /** The connection's `application_name` (default `eventfold`). */
  readonly applicationName?: string
  /** Most connections in the pool (default 10). */
  readonly max?: number
  /** How long an append waits for the log lock before LockTimeout (default 10,000 ms). */
  readonly lockTimeoutMs?: number
  /** How long a transaction may sit idle before the server ends it (default 10,000 ms). */
  readonly idleInTransactionTimeoutMs?: number
  /**
   * Appends in flight at once, each carrying every append that waited for it (default 1: appends
   * from one process then never contend with each other for ids).
   */
  readonly writers?: number
  /** Most events one group-commit transaction carries (default 5,000). */
  readonly maxGroupEvents?: number
}

/** A PostgreSQL recorder; `sql` is its driver instance, for tests and tools that need to look inside. */
export interface PostgresRecorder extends Recorder {
  readonly names: Names
  readonly sql: postgres.Sql
}

interface EventRow {
  readonly notification_id?: string
  readonly stream_id: string
  readonly version: string
  readonly type: string
  readonly schema_version: number
  readonly data: Uint8Array
}

const toStored = (row: EventRow): StoredEvent => ({
  streamId: row.stream_id,
  version: Number(row.version),
  type: row.type,
  schemaVersion: row.schema_version,
  data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
})

const bytes = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

const toNotification = (row: EventRow): Notification => ({
  ...toStored(row),
  id: Number(row.notification_id),
})

/** Creates a PostgreSQL recorder. It connects lazily and creates its schema on first use. */
export const createPostgresRecorder = (options: PostgresRecorderOptions = {}): PostgresRecorder => {
  const names = namesOf(options.schema ?? 'public', options.prefix ?? 'eventfold_')
  const config = {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: {
      application_name: options.applicationName ?? 'eventfold',
      lock_timeout: options.lockTimeoutMs ?? 10_000,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 10_000,
      plan_cache_mode: 'force_generic_plan',
    },
  }
  const sql = options.url === undefined ? postgres(config) : postgres(options.url, config)
  let closed = false
  let schemaReady: Promise<void> | undefined

  const createSchema = (): Promise<void> =>
    sql
      .begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtext(${names.channel}))`
        for (const statement of schemaStatements(names)) await tx.unsafe(statement)
      })
      .then(() => undefined)

  /** Runs `action` once the schema exists, translating driver errors. */
  const run = async <T>(action: () => Promise<T>, context: Record<string, unknown> = {}): Promise<T> => {
    if (closed) throw recorderClosed('postgres')
    try {
      schemaReady ??= createSchema().catch((error: unknown) => {
        schemaReady = undefined
        throw error
      })
      await schemaReady
      return await action()
    } catch (error) {
      throw translate(error, context)
    }
  }

  const write = createWrite(sql, names, run)
  const leases = createPostgresLeases(sql, names.channel, run)

  const writer = createGroupCommit<Batch, readonly number[]>(write, {
    writers: options.writers ?? 1,
    maxSize: options.maxGroupEvents ?? 5_000,
  })

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
    }
    if (events.length === 0 && !tracking) return []
    return writer.submit({ events, tracking }, Math.max(1, events.length))
  }

  return {
    names,
    sql,
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
        () => sql<EventRow[]>`
          select notification_id, stream_id, version, type, schema_version, data from ${sql.unsafe(names.events)}
          where stream_id = ${streamId} and version > ${after} and version <= ${upTo}
          order by version ${backwards ? sql`desc` : sql`asc`} limit ${limit ?? null}`,
        { streamId },
      )
      return rows.map(toNotification)
    },
    selectNotifications: async (start, limit, { stop = Number.MAX_SAFE_INTEGER, types } = {}) => {
      checkCount('start', start, 1)
      checkCount('limit', limit, 0)
      checkCount('stop', stop, 0)
      const rows = await run(
        () => sql<EventRow[]>`
          select notification_id, stream_id, version, type, schema_version, data from ${sql.unsafe(names.events)}
          where notification_id >= ${start} and notification_id <= ${stop}
          ${types ? sql`and type = any(${types as string[]}::text[])` : sql``}
          order by notification_id limit ${limit}`,
      )
      return rows.map(toNotification)
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
    hasTracking: async (upstream, notificationId) => {
      const rows = await run(
        () =>
          sql`select 1 from ${sql.unsafe(names.tracking)} where upstream = ${upstream} and notification_id = ${notificationId}`,
      )
      return rows.length > 0
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
        () => sql<EventRow[]>`
          select stream_id, version, type, schema_version, data from ${sql.unsafe(names.snapshots)}
          where stream_id = ${streamId} and version <= ${upTo} order by version desc limit 1`,
        { streamId },
      )
      return row ? toStored(row) : undefined
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
          select subject, wrapped from ${sql.unsafe(names.keys)} where subject = any(${subjects as string[]}::text[])`,
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
              from unnest(${rows.map((r) => r.streamId)}::text[], ${rows.map((r) => r.version)}::int8[],
                ${rows.map((r) => r.data.byteLength)}::int4[]) with ordinality as u(stream_id, version, len, ord)
            ) r
            where e.stream_id = r.stream_id and e.version = r.version`
          if (result.count !== rows.length) {
            throw invalidArgument(`only ${result.count} of ${rows.length} events exist; nothing was replaced`)
          }
        }),
      )
    },
    acquireLease: leases.acquireLease,
    subscribe: async (listener) => {
      const { unlisten } = await run(() => sql.listen(names.channel, () => listener()))
      return async () => {
        if (!closed) await unlisten()
      }
    },
    close: async () => {
      if (closed) return
      await writer.idle()
      await leases.releaseAll()
      closed = true
      await sql.end({ timeout: 5 })
    },
  }
}
