// The projection recorder on PostgreSQL: documents, their indexed fields, positions and dead letters.
// A batch is one statement (one transaction with a SQL projection's own writes) that moves the position.

import postgres from 'postgres'
import { EventfoldError, isEventfoldError } from '../../codec/index.js'
import { invalidArgument, trackingConflict } from '../errors.js'
import { checkQuery, trackingName } from '../memory-projections.js'
import {
  checkKey,
  checkProjectionBatch,
  checkProjectionVersion,
  type DeadLetter,
  type DocumentChange,
  type ProjectionBatch,
  type ProjectionStatus,
  type ProjectionVersion,
  type SqlProjectionRecorder,
  type StoredDocument,
} from '../projections.js'
import { checkCount } from '../validate.js'
import { arrayLiteral as a } from './arrays.js'
import { projectionStatements, type ReadShape } from './projection-statements.js'
import type { Names } from './schema.js'
import { translate } from './translate.js'

/** The transaction a SQL projection writes in: a postgres.js transaction. */
export type PostgresTransaction = postgres.TransactionSql

/** Runs a statement once the schema is current, translating driver errors and retrying transient ones. */
export type RunQuery = <T>(action: () => Promise<T>, context?: Record<string, unknown>) => Promise<T>

/** A driver instance or a transaction: what runs statements. */
type Db = Pick<postgres.TransactionSql, 'unsafe'>

/** The largest integer an `integer` column holds (projection versions, schema versions). */
const MAX_INT4 = 2_147_483_647

interface StatusRow {
  readonly name: string
  readonly version: number
  readonly position: string
  readonly ready: boolean
  readonly updated_at: Date
}

interface DocumentRow {
  readonly key: string
  readonly type: string
  readonly schema_version: number
  readonly data: string
  readonly fields: string | null
}

/** A row of a read: the serving version, and a document of it (NULLs when it has none). */
type ReadRow = { readonly serving: number } & (DocumentRow | { readonly key: null })

interface LetterRow {
  readonly notification_id: string
  readonly stream_id: string
  readonly stream_version: string
  readonly code: string
  readonly message: string
  readonly recorded_at: Date
}

const toStatus = (row: StatusRow): ProjectionStatus => ({
  name: row.name,
  version: row.version,
  position: Number(row.position),
  ready: row.ready,
  updatedAt: row.updated_at,
})

const toDocument = (row: DocumentRow): StoredDocument => ({
  key: row.key,
  type: row.type,
  schemaVersion: row.schema_version,
  data: JSON.parse(row.data),
  ...(row.fields === null ? {} : { fields: JSON.parse(row.fields) }),
})

const toLetter = (row: LetterRow): DeadLetter => ({
  notificationId: Number(row.notification_id),
  streamId: row.stream_id,
  version: Number(row.stream_version),
  code: row.code,
  message: row.message,
  recordedAt: row.recorded_at,
})

/** Checks a projection version, which must also fit its `integer` column. */
const checkVersion = (projection: ProjectionVersion): void => {
  checkProjectionVersion(projection)
  if (projection.version > MAX_INT4)
    throw invalidArgument(`projection version ${projection.version} is above ${MAX_INT4}`)
}

/** An escaped NUL or lone surrogate in JSON text (JSON.stringify escapes only lone ones): jsonb refuses both. */
const UNSTORABLE = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/

/** A dead letter's message as text can hold it: NUL (which PostgreSQL text cannot) becomes U+FFFD. */
const storableMessage = (message: string): string => message.replaceAll('\u0000', '\uFFFD')

/** The last change of each key, in the order keys first appear. */
const lastChanges = (changes: readonly DocumentChange[]): DocumentChange[] => {
  const byKey = new Map<string, DocumentChange>()
  for (const change of changes) byKey.set(change._tag === 'Put' ? change.document.key : change.key, change)
  return [...byKey.values()]
}

/** A batch as the parameters of the commit statement after the projection's name and version. */
const commitParameters = (batch: ProjectionBatch): unknown[] => {
  const [keys, types, schemas, data, fieldSets] = [[], [], [], [], []] as [
    string[],
    string[],
    number[],
    string[],
    (string | null)[],
  ]
  const deleted: string[] = []
  for (const change of lastChanges(batch.changes ?? [])) {
    if (change._tag === 'Delete') {
      deleted.push(change.key)
      continue
    }
    const { key, type, schemaVersion, fields } = change.document
    if (schemaVersion > MAX_INT4)
      throw invalidArgument(`document schemaVersion ${schemaVersion} is above ${MAX_INT4}`, { key })
    const json = JSON.stringify(change.document.data) as string | undefined
    if (json === undefined) throw invalidArgument(`document ${JSON.stringify(key)} has no JSON data`, { key })
    if (json.includes('\\u') && UNSTORABLE.test(json))
      throw invalidArgument(
        `document ${JSON.stringify(key)} has a NUL character or a lone surrogate in its data, which jsonb cannot store`,
        { key },
      )
    keys.push(key)
    types.push(type)
    schemas.push(schemaVersion)
    data.push(json)
    fieldSets.push(fields === undefined ? null : JSON.stringify(fields))
  }
  const letters = batch.deadLetters ?? []
  return [
    batch.from,
    batch.to,
    a(keys),
    a(types),
    a(schemas),
    a(data),
    a(fieldSets),
    a(deleted),
    a(letters.map((l) => l.notificationId)),
    a(letters.map((l) => l.streamId)),
    a(letters.map((l) => l.version)),
    a(letters.map((l) => l.code)),
    a(letters.map((l) => storableMessage(l.message))),
  ]
}

/** The shape of a read: by keys or not, filtered by an indexed field or not. */
const shapeOf = (keys: boolean, where: boolean): ReadShape =>
  keys ? (where ? 'keysWhere' : 'keys') : where ? 'where' : 'all'

/**
 * Creates the projection part of the PostgreSQL recorder over its driver instance, its tables and
 * its `run` (which waits for the schema, translates errors and retries transient failures: a batch
 * sent again after its reply was lost finds its position moved and fails with TrackingConflict).
 */
export const createPostgresProjections = (
  sql: postgres.Sql,
  names: Names,
  run: RunQuery,
): SqlProjectionRecorder<PostgresTransaction> => {
  const s = projectionStatements(names)
  /** Sends a statement, prepared (once per connection) unless `prepare` is false. */
  const send = <T>(db: Db, text: string, params: readonly unknown[], prepare = true): Promise<T[]> =>
    db.unsafe<T[]>(text, params as never[], { prepare })

  const status = async (name: string | null, version: number | null): Promise<readonly ProjectionStatus[]> =>
    (await run(() => send<StatusRow>(sql, s.status, [name, version]))).map(toStatus)

  /** Moves the position and stores the batch; TrackingConflict when the position is no longer `from`. */
  const commit = async (
    db: Db,
    projection: ProjectionVersion,
    parameters: unknown[],
    from: number,
  ): Promise<void> => {
    // Planned at each commit, never prepared: a generic plan made while the tables were small (a
    // sequential scan to delete by ctid) would be kept for the connection's life as they grow.
    const [row] = await send<{ moved: number }>(
      db,
      s.commit,
      [projection.name, projection.version, ...parameters],
      false,
    )
    if (row?.moved !== 1) throw trackingConflict(trackingName(projection), from + 1)
  }

  /** Checks a batch completely and turns it into statement parameters. */
  const checked = (projection: ProjectionVersion, batch: ProjectionBatch): unknown[] => {
    checkVersion(projection)
    checkProjectionBatch(batch)
    return commitParameters(batch)
  }

  return {
    registerProjection: async (projection) => {
      checkVersion(projection)
      const { name, version } = projection
      await run(() => send(sql, s.register, [name, version]), { projection: name })
      const [found] = await status(name, version)
      if (!found)
        throw translate(new Error(`projection ${name} v${version} was dropped while it was registered`))
      return found
    },
    selectProjections: async (name) =>
      status(name === undefined ? null : checkKey('projection name', name), null),
    selectDocuments: async (projection, keys) => {
      checkVersion(projection)
      for (const key of keys) checkKey('document key', key)
      const rows = await run(() =>
        send<DocumentRow>(sql, s.select, [projection.name, projection.version, a(keys)]),
      )
      return new Map(rows.map((row) => [row.key, toDocument(row)]))
    },
    commitProjection: async (projection, batch) => {
      const parameters = checked(projection, batch)
      await run(() => commit(sql, projection, parameters, batch.from), { projection: projection.name })
    },
    commitSqlProjection: async (projection, batch, write) => {
      const parameters = checked(projection, batch)
      let thrown: { readonly error: unknown } | undefined
      try {
        await run(
          () =>
            sql.begin(async (tx) => {
              await commit(tx, projection, parameters, batch.from)
              // The projection's unqualified tables are the recorder's schema's (then public's).
              await tx.unsafe(`SET LOCAL search_path TO ${names.schema}, public`)
              try {
                const written = await write(tx)
                if (Array.isArray(written)) await Promise.all(written)
              } catch (error) {
                thrown = { error }
                throw error
              }
            }),
          { projection: projection.name },
        )
      } catch (error) {
        // The projection's own error (not the database's) reaches its caller as it was thrown.
        const own = thrown?.error
        const wrapped = isEventfoldError(error, 'DatabaseError') && error.cause === own
        if (own !== undefined && wrapped && !(own instanceof postgres.PostgresError)) throw own
        // A unique violation in the projection's own tables is its bug, not a concurrent writer's.
        if (own instanceof postgres.PostgresError && isEventfoldError(error, 'ConcurrencyError'))
          throw new EventfoldError(
            'DatabaseError',
            `the write of projection "${projection.name}" v${projection.version} failed: ${own.message}`,
            { projection: projection.name, projectionVersion: projection.version, sqlState: own.code },
            { cause: own },
          )
        throw error
      }
    },
    markReady: async (projection) => {
      checkVersion(projection)
      await run(() => send(sql, s.markReady, [projection.name, projection.version]))
    },
    readDocuments: async (name, upTo, query) => {
      checkKey('projection name', name)
      checkCount('version', upTo, 1)
      const limit = checkQuery(query)
      const { keys, where, after } = query
      if (where && (typeof where.value !== 'string' || where.value.includes('\u0000')))
        checkKey(`indexed field "${where.field}"`, where.value)
      const params: unknown[] = [name, Math.min(upTo, MAX_INT4), after ?? '', limit]
      if (keys) params.push(a(keys))
      if (where) params.push(where.field, where.value)
      const text = s.read[shapeOf(keys !== undefined, where !== undefined)]
      const rows = await run(() => send<ReadRow>(sql, text, params))
      const [first] = rows
      if (!first) return undefined
      return {
        version: first.serving,
        documents: rows.flatMap((row) => (row.key === null ? [] : [toDocument(row)])),
      }
    },
    selectDeadLetters: async (projection) => {
      checkVersion(projection)
      const rows = await run(() => send<LetterRow>(sql, s.deadLetters, [projection.name, projection.version]))
      return rows.map(toLetter)
    },
    dropProjection: async (projection) => {
      checkVersion(projection)
      const { name, version } = projection
      await run(() => sql.begin((tx) => s.drop.map((text) => send(tx, text, [name, version]))))
    },
  }
}
