// The projection part of the SQLite recorder: positions, documents with their indexed fields and dead
// letters in the recorder's database; a batch is one immediate transaction with the position it moves.

import type Database from 'better-sqlite3'
import { EventfoldError, type JsonValue } from '../../codec/index.js'
import { invalidArgument, trackingConflict } from '../errors.js'
import { checkQuery, trackingName } from '../memory-projections.js'
import {
  checkKey,
  checkProjectionBatch,
  checkProjectionVersion,
  type DeadLetter,
  type DocumentChange,
  type DocumentQuery,
  type ProjectionBatch,
  type ProjectionStatus,
  type ProjectionVersion,
  type SqlProjectionRecorder,
  type StoredDocument,
} from '../projections.js'
import { checkCount } from '../validate.js'
import type { TableNames } from './schema.js'
import { translate } from './translate.js'

type Db = Database.Database
type ReadQuery = DocumentQuery & { readonly keys?: readonly string[] }

interface StatusRow {
  readonly name: string
  readonly version: number
  readonly position: number
  readonly ready: number
  readonly updated_at: string
}

interface DocumentRow {
  readonly key: string
  readonly type: string
  readonly schema_version: number
  readonly data: string
  /** The indexed fields as a JSON object ('{}' when there are none). */
  readonly fields: string
}

interface DeadLetterRow {
  readonly notification_id: number
  readonly stream_id: string
  readonly stream_version: number
  readonly code: string
  readonly message: string
  readonly recorded_at: string
}

/** The parameters of a document read: the version read, and the query's options in SQL form. */
interface ReadParams {
  readonly projection: string
  readonly version: number
  readonly after: string
  readonly limit: number
  readonly keys?: string
  readonly field?: string
  readonly value?: string
}

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`

const toStatus = (row: StatusRow): ProjectionStatus => ({
  name: row.name,
  version: row.version,
  position: row.position,
  ready: row.ready === 1,
  updatedAt: new Date(row.updated_at),
})

const toDocument = (row: DocumentRow): StoredDocument => ({
  key: row.key,
  type: row.type,
  schemaVersion: row.schema_version,
  data: JSON.parse(row.data) as JsonValue,
  ...(row.fields === '{}' ? {} : { fields: JSON.parse(row.fields) as Record<string, string> }),
})

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  notificationId: row.notification_id,
  streamId: row.stream_id,
  version: row.stream_version,
  code: row.code,
  message: row.message,
  recordedAt: new Date(row.recorded_at),
})

/**
 * The four document reads: by keys (in their order) or all (in key order), each with or without a
 * field value. CROSS JOIN keeps the asked keys the outer loop (else SQLite may scan the documents).
 */
const documentReads = (db: Db, t: TableNames) => {
  const select = `SELECT d.key, d.type, d.schema_version, d.data,
    (SELECT json_group_object(f.field, f.value) FROM ${t.documentFields} f
      WHERE f.projection = d.projection AND f.version = d.version AND f.key = d.key) AS fields FROM`
  const byKeys = `${select} json_each(@keys) j CROSS JOIN ${t.documents} d
    ON d.projection = @projection AND d.version = @version AND d.key = j.value WHERE d.key > @after`
  const hasValue = `EXISTS (SELECT 1 FROM ${t.documentFields} w WHERE w.projection = d.projection
    AND w.version = d.version AND w.key = d.key AND w.field = @field AND w.value = @value)`
  const prepare = (sql: string) => db.prepare<[ReadParams], DocumentRow>(sql)
  return {
    keys: prepare(`${byKeys} ORDER BY j.key LIMIT @limit`),
    keysWhere: prepare(`${byKeys} AND ${hasValue} ORDER BY j.key LIMIT @limit`),
    all: prepare(`${select} ${t.documents} d WHERE d.projection = @projection AND d.version = @version
      AND d.key > @after ORDER BY d.key LIMIT @limit`),
    where: prepare(`${select} ${t.documentFields} w JOIN ${t.documents} d
      ON d.projection = w.projection AND d.version = w.version AND d.key = w.key
      WHERE w.projection = @projection AND w.version = @version AND w.field = @field AND w.value = @value
      AND w.key > @after ORDER BY w.key LIMIT @limit`),
  }
}

/** The statements that keep positions, documents and dead letters. */
const statements = (db: Db, t: TableNames) => {
  const status = `SELECT name, version, position, ready, updated_at FROM ${t.projections}`
  const ofVersion = 'WHERE projection = ? AND version = ?'
  return {
    register: db.prepare(
      `INSERT INTO ${t.projections} (name, version) VALUES (?, ?) ON CONFLICT (name, version) DO NOTHING`,
    ),
    status: db.prepare<[string, number], StatusRow>(`${status} WHERE name = ? AND version = ?`),
    statuses: db.prepare<[string], StatusRow>(`${status} WHERE name = ? ORDER BY version`),
    everyStatus: db.prepare<[], StatusRow>(`${status} ORDER BY name, version`),
    serving: db
      .prepare<[string, number], number>(
        `SELECT version FROM ${t.projections} WHERE name = ? AND version <= ? ORDER BY ready DESC, version DESC LIMIT 1`,
      )
      .pluck(),
    move: db.prepare<[number, string, number, number]>(
      `UPDATE ${t.projections} SET position = ?, updated_at = ${NOW} WHERE name = ? AND version = ? AND position = ?`,
    ),
    ready: db.prepare<[string, number]>(
      `UPDATE ${t.projections} SET ready = 1, updated_at = ${NOW} WHERE name = ? AND version = ?`,
    ),
    put: db.prepare<[string, number, string, string, number, string]>(
      `INSERT INTO ${t.documents} (projection, version, key, type, schema_version, data) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (projection, version, key) DO UPDATE SET type = excluded.type, schema_version = excluded.schema_version, data = excluded.data`,
    ),
    delete: db.prepare<[string, number, string]>(`DELETE FROM ${t.documents} ${ofVersion} AND key = ?`),
    deleteFields: db.prepare<[string, number, string]>(
      `DELETE FROM ${t.documentFields} ${ofVersion} AND key = ?`,
    ),
    field: db.prepare<[string, number, string, string, string]>(
      `INSERT INTO ${t.documentFields} (projection, version, key, field, value) VALUES (?, ?, ?, ?, ?)`,
    ),
    deadLetter: db.prepare<[string, number, number, string, number, string, string]>(
      `INSERT INTO ${t.deadLetters} (projection, version, notification_id, stream_id, stream_version, code, message)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (projection, version, notification_id) DO UPDATE SET
       stream_id = excluded.stream_id, stream_version = excluded.stream_version, code = excluded.code, message = excluded.message`,
    ),
    deadLetters: db.prepare<[string, number], DeadLetterRow>(
      `SELECT notification_id, stream_id, stream_version, code, message, recorded_at FROM ${t.deadLetters}
       ${ofVersion} ORDER BY notification_id`,
    ),
    drop: [t.documentFields, t.documents, t.deadLetters].map((table) =>
      db.prepare<[string, number]>(`DELETE FROM ${table} ${ofVersion}`),
    ),
    dropStatus: db.prepare<[string, number]>(`DELETE FROM ${t.projections} WHERE name = ? AND version = ?`),
  }
}

/** The last change of each key in a batch: the only one that counts. */
const lastChanges = (changes: readonly DocumentChange[]): Iterable<DocumentChange> => {
  const last = new Map<string, DocumentChange>()
  for (const change of changes) last.set(change._tag === 'Delete' ? change.key : change.document.key, change)
  return last.values()
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof (value as { then?: unknown }).then === 'function'

/** Creates the projection part of a SQLite recorder on its database; `open` throws once it is closed. */
export const createSqliteProjections = (
  db: Db,
  t: TableNames,
  open: () => void,
): SqlProjectionRecorder<Db> => {
  const s = statements(db, t)
  const reads = documentReads(db, t)

  /** Runs a synchronous database action once the recorder is known open, translating its errors. */
  const run = <T>(action: () => T): T => {
    open()
    try {
      return action()
    } catch (error) {
      throw translate(error)
    }
  }

  const apply = ({ name, version }: ProjectionVersion, change: DocumentChange): void => {
    const key = change._tag === 'Delete' ? change.key : change.document.key
    s.deleteFields.run(name, version, key)
    if (change._tag === 'Delete') {
      s.delete.run(name, version, key)
      return
    }
    const { type, schemaVersion, data, fields = {} } = change.document
    s.put.run(name, version, key, type, schemaVersion, JSON.stringify(data))
    for (const [field, value] of Object.entries(fields)) s.field.run(name, version, key, field, value)
  }

  const commit = db.transaction(
    (p: ProjectionVersion, batch: ProjectionBatch, write?: (tx: Db) => unknown): void => {
      if (s.move.run(batch.to, p.name, p.version, batch.from).changes !== 1)
        throw trackingConflict(trackingName(p), batch.from + 1)
      for (const change of lastChanges(batch.changes ?? [])) apply(p, change)
      for (const l of batch.deadLetters ?? [])
        s.deadLetter.run(p.name, p.version, l.notificationId, l.streamId, l.version, l.code, l.message)
      const result = write?.(db)
      if (isThenable(result)) {
        // Whatever it does after its first await runs outside the transaction; its failure is not ours to report.
        Promise.resolve(result).catch(() => undefined)
        throw invalidArgument(
          `the write of projection ${p.name} v${p.version} returned a promise: on SQLite a projection's write must be synchronous (better-sqlite3 inside the transaction)`,
          { projection: p.name, projectionVersion: p.version },
        )
      }
    },
  )

  const readRows = (projection: string, version: number, query: ReadQuery, limit: number): DocumentRow[] => {
    const params: ReadParams = {
      projection,
      version,
      after: query.after ?? '',
      limit,
      ...(query.where ? { field: query.where.field, value: query.where.value } : {}),
      ...(query.keys ? { keys: JSON.stringify(query.keys) } : {}),
    }
    const read = query.keys
      ? query.where
        ? reads.keysWhere
        : reads.keys
      : query.where
        ? reads.where
        : reads.all
    return read.all(params)
  }

  const serve = db.transaction((name: string, upTo: number, query: ReadQuery, limit: number) => {
    const version = s.serving.get(name, upTo)
    if (version === undefined) return undefined
    return { version, documents: readRows(name, version, query, limit).map(toDocument) }
  })

  const register = db.transaction(({ name, version }: ProjectionVersion): StatusRow => {
    s.register.run(name, version)
    const row = s.status.get(name, version)
    if (!row) throw new EventfoldError('DatabaseError', `projection ${name} v${version} was not registered`)
    return row
  })

  const drop = db.transaction(({ name, version }: ProjectionVersion): void => {
    for (const statement of s.drop) statement.run(name, version)
    s.dropStatus.run(name, version)
  })

  /** Checks and commits a batch (and a SQL projection's write) in one immediate transaction. */
  const commitBatch = async (p: ProjectionVersion, batch: ProjectionBatch, write?: (tx: Db) => unknown) => {
    open()
    checkProjectionVersion(p)
    checkProjectionBatch(batch)
    run(() => commit.immediate(p, batch, write))
  }

  return {
    registerProjection: async (projection) => {
      open()
      checkProjectionVersion(projection)
      return toStatus(run(() => register.immediate(projection)))
    },
    selectProjections: async (name) => {
      open()
      if (name === undefined) return run(() => s.everyStatus.all()).map(toStatus)
      checkKey('projection name', name)
      return run(() => s.statuses.all(name)).map(toStatus)
    },
    selectDocuments: async (projection, keys) => {
      open()
      checkProjectionVersion(projection)
      for (const key of keys) checkKey('document key', key)
      const rows = run(() => readRows(projection.name, projection.version, { keys }, -1))
      return new Map(rows.map((row) => [row.key, toDocument(row)]))
    },
    commitProjection: (projection, batch) => commitBatch(projection, batch),
    commitSqlProjection: (projection, batch, write) => commitBatch(projection, batch, write),
    markReady: async (projection) => {
      open()
      checkProjectionVersion(projection)
      run(() => s.ready.run(projection.name, projection.version))
    },
    readDocuments: async (name, upTo, query) => {
      open()
      checkKey('projection name', name)
      checkCount('version', upTo, 1)
      const limit = checkQuery(query)
      return run(() => serve.deferred(name, upTo, query, limit))
    },
    selectDeadLetters: async (projection) => {
      open()
      checkProjectionVersion(projection)
      return run(() => s.deadLetters.all(projection.name, projection.version)).map(toDeadLetter)
    },
    dropProjection: async (projection) => {
      open()
      checkProjectionVersion(projection)
      run(() => drop.immediate(projection))
    },
  }
}
