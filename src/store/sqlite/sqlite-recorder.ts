// The SQLite recorder, on better-sqlite3: embedded and durable (WAL, synchronous=FULL), one
// transaction per batch under SQLite's single write lock, so notification ids follow commit order.

import Database from 'better-sqlite3'
import { concurrencyError, invalidArgument, recorderClosed, trackingConflict } from '../errors.js'
import { checkEventId, newEventId } from '../event-id.js'
import { createLocalPorts } from '../local-ports.js'
import type { SqlProjectionRecorder } from '../projections.js'
import type { Recorder } from '../recorder.js'
import type { EventMetadata, InsertOptions, Notification, StoredEvent } from '../records.js'
import { checkCount, checkStoredEvent, checkStreamId, checkTracking, trackedIds } from '../validate.js'
import { ensureSchema } from './migrate.js'
import { createSqliteProjections } from './projections.js'
import { tableNames } from './schema.js'
import { translate } from './translate.js'

/** Where the database lives. */
export interface SqliteRecorderOptions {
  /** A file path; without one the database lives in memory and ends with the recorder. */
  readonly path?: string
  /** A prefix for the table names (default `eventfold_`). */
  readonly prefix?: string
  /** How long to wait for another process's write lock before failing (default 5,000 ms). */
  readonly busyTimeoutMs?: number
  /**
   * Create or migrate the tables when they are missing or older than this release (default true).
   * With false, such a database is a SchemaMissing error: run `npx eventfold migrate` first.
   */
  readonly createTables?: boolean
}

/** What an SQL projection writes with on SQLite: the better-sqlite3 database, inside the projection's transaction. */
export type SqliteTransaction = Database.Database

/**
 * A SQLite recorder, which keeps projections too (a SQL projection's `write` gets the database, inside
 * the transaction); `db` is its better-sqlite3 handle, for tests and tools that look inside.
 */
export interface SqliteRecorder extends Recorder, SqlProjectionRecorder<SqliteTransaction> {
  readonly db: Database.Database
}

interface Row {
  readonly notification_id?: number
  readonly stream_id: string
  readonly version: number
  readonly type: string
  readonly schema_version: number
  readonly data: Uint8Array
  readonly event_id?: string | null
  readonly metadata?: string | null
  readonly recorded_at?: string
}

const toStored = (row: Row): StoredEvent => ({
  streamId: row.stream_id,
  version: row.version,
  type: row.type,
  schemaVersion: row.schema_version,
  data: new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength),
})

const toNotification = (row: Row): Notification => ({
  ...toStored(row),
  ...(row.event_id ? { eventId: row.event_id } : {}),
  ...(row.metadata ? { metadata: JSON.parse(row.metadata) as EventMetadata } : {}),
  id: row.notification_id ?? 0,
  ...(row.recorded_at ? { recordedAt: new Date(row.recorded_at) } : {}),
})

const bytes = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

/** Creates a SQLite recorder on a file (durable) or in memory. */
export const createSqliteRecorder = (options: SqliteRecorderOptions = {}): SqliteRecorder => {
  const t = tableNames(options.prefix ?? 'eventfold_')
  const db = new Database(options.path ?? ':memory:')
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
  if (options.path !== undefined) db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  try {
    ensureSchema(db, t, options.createTables ?? true)
  } catch (error) {
    db.close()
    throw translate(error)
  }

  const q = {
    exists: db
      .prepare<[string, number], number>(`SELECT 1 FROM ${t.events} WHERE stream_id = ? AND version = ?`)
      .pluck(),
    last: db.prepare<[], number>(`SELECT coalesce(max(notification_id), 0) FROM ${t.events}`).pluck(),
    insert: db.prepare(
      `INSERT INTO ${t.events} (notification_id, stream_id, version, type, schema_version, data, event_id, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    eventId: db.prepare<[string], number>(`SELECT 1 FROM ${t.events} WHERE event_id = ?`).pluck(),
    tracked: db
      .prepare<[string, number], number>(
        `SELECT 1 FROM ${t.tracking} WHERE upstream = ? AND notification_id = ?`,
      )
      .pluck(),
    track: db.prepare(`INSERT INTO ${t.tracking} (upstream, notification_id) VALUES (?, ?)`),
    trackers: db.prepare<[], { upstream: string; notificationId: number }>(
      `SELECT upstream, max(notification_id) AS notificationId FROM ${t.tracking} GROUP BY upstream ORDER BY upstream`,
    ),
    maxTracked: db
      .prepare<[string], number>(
        `SELECT coalesce(max(notification_id), 0) FROM ${t.tracking} WHERE upstream = ?`,
      )
      .pluck(),
    snapshot: db.prepare(
      `INSERT INTO ${t.snapshots} (stream_id, version, type, schema_version, data) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (stream_id, version) DO UPDATE SET type = excluded.type, schema_version = excluded.schema_version, data = excluded.data`,
    ),
    latestSnapshot: db.prepare<[string, number], Row>(
      `SELECT stream_id, version, type, schema_version, data FROM ${t.snapshots} WHERE stream_id = ? AND version <= ? ORDER BY version DESC LIMIT 1`,
    ),
  }
  const selectEvents = (direction: 'ASC' | 'DESC') =>
    db.prepare<[string, number, number, number], Row>(
      `SELECT notification_id, stream_id, version, type, schema_version, data, event_id, metadata, recorded_at FROM ${t.events}
       WHERE stream_id = ? AND version > ? AND version <= ? ORDER BY version ${direction} LIMIT ?`,
    )
  const forwards = selectEvents('ASC')
  const backwardsQuery = selectEvents('DESC')
  const page = db.prepare<[number, number, number], Row>(
    `SELECT notification_id, stream_id, version, type, schema_version, data, event_id, metadata, recorded_at FROM ${t.events}
     WHERE notification_id >= ? AND notification_id <= ? ORDER BY notification_id LIMIT ?`,
  )
  const typedPage = db.prepare<[number, number, string, number], Row>(
    `SELECT notification_id, stream_id, version, type, schema_version, data, event_id, metadata, recorded_at FROM ${t.events}
     WHERE notification_id >= ? AND notification_id <= ? AND type IN (SELECT value FROM json_each(?))
     ORDER BY notification_id LIMIT ?`,
  )
  const keys = {
    insert: db.prepare(
      `INSERT INTO ${t.keys} (subject, wrapped) VALUES (?, ?) ON CONFLICT (subject) DO NOTHING`,
    ),
    select: db.prepare<[string], Buffer>(`SELECT wrapped FROM ${t.keys} WHERE subject = ?`).pluck(),
    replace: db.prepare(`UPDATE ${t.keys} SET wrapped = ? WHERE subject = ?`),
    delete: db.prepare(`DELETE FROM ${t.keys} WHERE subject = ?`),
  }
  const replaceData = db.prepare(`UPDATE ${t.events} SET data = ? WHERE stream_id = ? AND version = ?`)
  const replaceAll = db.transaction((rows: readonly Pick<StoredEvent, 'streamId' | 'version' | 'data'>[]) => {
    for (const { streamId, version, data } of rows) {
      if (replaceData.run(bytes(data), streamId, version).changes !== 1) {
        throw invalidArgument(`no event at ${streamId}@${version}`, { streamId, version })
      }
    }
  })
  const local = createLocalPorts(() => open())
  let closed = false

  const open = (): void => {
    if (closed) throw recorderClosed('sqlite')
  }

  const append = db.transaction((events: readonly StoredEvent[], opts: InsertOptions): number[] => {
    const seen = new Set<string>()
    for (const e of events) {
      const key = `${e.version}:${e.streamId}`
      if (seen.has(key) || q.exists.get(e.streamId, e.version) !== undefined)
        throw concurrencyError(e.streamId, e.version)
      seen.add(key)
      // An id given by the caller may be stored already; one made here is new (and the index guards it).
      if (e.eventId !== undefined) {
        if (seen.has(e.eventId) || q.eventId.get(e.eventId) !== undefined)
          throw concurrencyError(e.streamId, e.version, undefined, e.eventId)
        seen.add(e.eventId)
      }
    }
    const { tracking } = opts
    const upstream = tracking?.upstream ?? ''
    const ids = tracking ? trackedIds(tracking) : []
    for (const id of ids) if (q.tracked.get(upstream, id) !== undefined) throw trackingConflict(upstream, id)
    const first = (q.last.get() ?? 0) + 1
    events.forEach((e, i) => {
      q.insert.run(
        first + i,
        e.streamId,
        e.version,
        e.type,
        e.schemaVersion,
        bytes(e.data),
        e.eventId ?? newEventId(),
        e.metadata === undefined ? null : JSON.stringify(e.metadata),
      )
    })
    for (const id of ids) q.track.run(upstream, id)
    return events.map((_, i) => first + i)
  })

  /** Runs a synchronous database action, translating its errors. */
  const guard = <T>(action: () => T): T => {
    open()
    try {
      return action()
    } catch (error) {
      throw translate(error)
    }
  }

  return {
    db,
    insertEvents: async (events, opts = {}) => {
      open()
      for (const event of events) checkStoredEvent(event)
      checkTracking(opts.tracking)
      for (const event of events)
        if (event.eventId !== undefined) checkEventId(event.eventId, event.streamId, event.version)
      const ids = guard(() => append.immediate(events, opts))
      if (ids.length > 0) local.wake()
      return ids
    },
    selectEvents: async (
      streamId,
      { after = 0, upTo = Number.MAX_SAFE_INTEGER, backwards = false, limit = -1 } = {},
    ) => {
      checkStreamId(streamId)
      checkCount('after', after, 0)
      checkCount('upTo', upTo, 0)
      if (limit !== -1) checkCount('limit', limit, 0)
      return guard(() =>
        (backwards ? backwardsQuery : forwards).all(streamId, after, upTo, limit).map(toNotification),
      )
    },
    selectNotifications: async (start, limit, { stop = Number.MAX_SAFE_INTEGER, types } = {}) => {
      checkCount('start', start, 1)
      checkCount('limit', limit, 0)
      checkCount('stop', stop, 0)
      const rows = guard(() =>
        types ? typedPage.all(start, stop, JSON.stringify(types), limit) : page.all(start, stop, limit),
      )
      return rows.map(toNotification)
    },
    maxNotificationId: async () => guard(() => q.last.get() ?? 0),
    maxTrackingId: async (upstream) => guard(() => q.maxTracked.get(upstream) ?? 0),
    selectTrackers: async () => guard(() => q.trackers.all()),
    hasTracking: async (upstream, notificationId) =>
      guard(() => q.tracked.get(upstream, notificationId) !== undefined),
    insertSnapshot: async (s) => {
      checkStoredEvent(s)
      guard(() => q.snapshot.run(s.streamId, s.version, s.type, s.schemaVersion, bytes(s.data)))
    },
    selectSnapshot: async (streamId, upTo = Number.MAX_SAFE_INTEGER) => {
      checkStreamId(streamId)
      checkCount('upTo', upTo, 0)
      const row = guard(() => q.latestSnapshot.get(streamId, upTo))
      return row ? toStored(row) : undefined
    },
    insertDataKey: async (subject, wrapped) => {
      checkStreamId(subject)
      return guard(() => {
        keys.insert.run(subject, bytes(wrapped))
        return new Uint8Array(keys.select.get(subject) as Buffer)
      })
    },
    selectDataKeys: async (subjects) =>
      guard(
        () =>
          new Map(
            subjects.flatMap((s) => {
              const wrapped = keys.select.get(s)
              return wrapped ? [[s, new Uint8Array(wrapped)] as const] : []
            }),
          ),
      ),
    replaceDataKey: async (subject, wrapped) => {
      guard(() => {
        if (keys.replace.run(bytes(wrapped), subject).changes !== 1)
          throw invalidArgument(`subject "${subject}" has no data key`, { subject })
      })
    },
    deleteDataKey: async (subject) => {
      guard(() => keys.delete.run(subject))
    },
    replaceEventData: async (rows) => {
      guard(() => replaceAll.immediate(rows))
    },
    ...local.ports,
    ...createSqliteProjections(db, t, open),
    synchronousWrites: true,
    close: async () => {
      if (closed) return
      closed = true
      local.clear()
      db.close()
    },
  }
}
