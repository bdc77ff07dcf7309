// The projection ports: where durable read models keep their documents, their position in the log
// they follow and their dead letters — each batch committed with its position in one transaction,
// so that every notification is applied exactly once.

import type { JsonValue } from '../codec/index.js'
import { invalidArgument } from './errors.js'
import { checkCount, checkEventType, checkStreamId } from './validate.js'

/** One version of a named projection: versions of one name are built side by side. */
export interface ProjectionVersion {
  readonly name: string
  /** A positive integer; a new version is built from notification 1 beside the older ones. */
  readonly version: number
}

/** Where one version of a projection stands. */
export interface ProjectionStatus extends ProjectionVersion {
  /** The id of the last notification applied (0 before the first). */
  readonly position: number
  /** True once it has caught up with the log: from then on reads of its name are served by it. */
  readonly ready: boolean
  readonly updatedAt?: Date
}

/** A document as stored: its key, its encoded form (a state codec's type, schema version and data). */
export interface StoredDocument {
  readonly key: string
  readonly type: string
  readonly schemaVersion: number
  readonly data: JsonValue
  /** The values of the projection's indexed fields, by field name. */
  readonly fields?: Readonly<Record<string, string>>
}

/** A change of one document in a batch: its new stored form, or its deletion. */
export type DocumentChange =
  | { readonly _tag: 'Put'; readonly document: StoredDocument }
  | { readonly _tag: 'Delete'; readonly key: string }

/** A notification a projection could not apply, kept aside by a dead-letter policy. */
export interface DeadLetter {
  readonly notificationId: number
  readonly streamId: string
  readonly version: number
  /** The error's code (an EventfoldError's) or name, and its message. */
  readonly code: string
  readonly message: string
  readonly recordedAt?: Date
}

/**
 * One batch of a projection's work: its position moves from `from` to `to` (a notification id), and
 * its changes and dead letters are stored in the same transaction. If its position is no longer
 * `from` (another instance moved it), nothing is stored and it fails with TrackingConflict.
 */
export interface ProjectionBatch {
  readonly from: number
  readonly to: number
  readonly changes?: readonly DocumentChange[]
  readonly deadLetters?: readonly DeadLetter[]
}

/** Which documents a query reads: all of them (in key order), or those whose indexed field has a value. */
export interface DocumentQuery {
  readonly where?: { readonly field: string; readonly value: string }
  /** Keys greater than this one (to page through). */
  readonly after?: string
  /** At most this many (default and at most 10,000). */
  readonly limit?: number
}

/**
 * Keeps documents of document projections, and the position and dead letters of every projection
 * (document or SQL). The memory, SQLite and PostgreSQL recorders are projection recorders.
 */
export interface ProjectionRecorder {
  /** Registers a version (if new, at position 0 and not ready) and resolves to its status. */
  registerProjection(projection: ProjectionVersion): Promise<ProjectionStatus>
  /**
   * The status of every version of `name` (oldest first), or of every projection when no name is
   * given (by name, then version); dropped versions are gone.
   */
  selectProjections(name?: string): Promise<readonly ProjectionStatus[]>
  /** The stored documents of one version under `keys` (absent keys have none). */
  selectDocuments(
    projection: ProjectionVersion,
    keys: readonly string[],
  ): Promise<ReadonlyMap<string, StoredDocument>>
  /** Commits a batch of a document projection: changes, dead letters and position, atomically. */
  commitProjection(projection: ProjectionVersion, batch: ProjectionBatch): Promise<void>
  /** Marks a version ready: it has caught up, and serves reads of its name from now on. */
  markReady(projection: ProjectionVersion): Promise<void>
  /**
   * Reads documents of the version that serves `name` for a reader of version `upTo`: the newest
   * ready version at or below it, or (when none is ready yet) the newest one — the first version of
   * a projection serves while it builds. One query: a switch-over is never seen half done.
   */
  readDocuments(
    name: string,
    upTo: number,
    query: DocumentQuery & { readonly keys?: readonly string[] },
  ): Promise<{ readonly version: number; readonly documents: readonly StoredDocument[] } | undefined>
  /** The dead letters of one version, in notification order. */
  selectDeadLetters(projection: ProjectionVersion): Promise<readonly DeadLetter[]>
  /** Deletes a version's documents, dead letters and position (its SQL tables are its own to drop). */
  dropProjection(projection: ProjectionVersion): Promise<void>
}

/**
 * A recorder whose projections may write their own tables: `write` runs inside the transaction that
 * moves the position (on PostgreSQL a postgres.js transaction, on SQLite the better-sqlite3
 * database inside its transaction, where `write` must not be async).
 */
export interface SqlProjectionRecorder<Tx> extends ProjectionRecorder {
  /** True where `write` must be synchronous (SQLite): an async one would write outside the transaction. */
  readonly synchronousWrites?: boolean
  /** Commits a batch of an SQL projection: `write` runs inside the transaction that moves the position. */
  commitSqlProjection(
    projection: ProjectionVersion,
    batch: ProjectionBatch,
    write: (tx: Tx) => unknown,
  ): Promise<void>
}

/** True when a recorder keeps projections. */
export const keepsProjections = <R extends object>(recorder: R): recorder is R & ProjectionRecorder =>
  typeof (recorder as Partial<ProjectionRecorder>).commitProjection === 'function'

/** The longest projection name, document key, indexed field name or value accepted, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024

const encoder = new TextEncoder()
/** True when every string of a JSON value (keys too) has no NUL and no lone surrogate: what jsonb can store. */
const storableText = (value: JsonValue): boolean => {
  if (typeof value === 'string') return !value.includes('\u0000') && value.isWellFormed()
  if (value === null || typeof value !== 'object') return true
  if (Array.isArray(value)) return value.every(storableText)
  for (const [key, item] of Object.entries(value))
    if (key.includes('\u0000') || !key.isWellFormed() || !storableText(item as JsonValue)) return false
  return true
}

/** Returns `value` if it is a non-empty, well-formed string without NUL of at most MAX_KEY_BYTES; InvalidArgument otherwise. */
export const checkKey = (what: string, value: unknown): string => {
  if (typeof value !== 'string' || value.length === 0)
    throw invalidArgument(`${what} must be a non-empty string`, { [what]: value as JsonValue })
  if (value.includes('\u0000') || !value.isWellFormed())
    throw invalidArgument(`${what} ${JSON.stringify(value)} contains a NUL character or a lone surrogate`)
  if (value.length * 3 > MAX_KEY_BYTES && encoder.encode(value).length > MAX_KEY_BYTES)
    throw invalidArgument(`${what} is longer than ${MAX_KEY_BYTES} UTF-8 bytes`)
  return value
}

/** Checks a projection's name and version. */
export const checkProjectionVersion = ({ name, version }: ProjectionVersion): void => {
  checkKey('projection name', name)
  checkCount('projection version', version, 1)
}

/** Checks a batch completely before anything is written: positions, keys, fields, dead letters. */
export const checkProjectionBatch = (batch: ProjectionBatch): void => {
  const from = checkCount('batch.from', batch.from, 0)
  const to = checkCount('batch.to', batch.to, 0)
  if (to < from) throw invalidArgument(`batch.to (${to}) is before batch.from (${from})`)
  for (const change of batch.changes ?? []) {
    if (change._tag === 'Delete') checkKey('document key', change.key)
    else {
      const { document } = change
      checkKey('document key', document.key)
      checkEventType(document.type)
      if (!storableText(document.data))
        throw invalidArgument(
          `document "${document.key}" holds a NUL character or a lone surrogate, which PostgreSQL's jsonb cannot store`,
        )
      checkCount('document schemaVersion', document.schemaVersion, 1)
      for (const [field, value] of Object.entries(document.fields ?? {})) {
        checkKey('indexed field name', field)
        if (typeof value !== 'string' || value.length * 3 > MAX_KEY_BYTES)
          checkKey(`indexed field "${field}"`, value)
      }
    }
  }
  const letters = new Set<number>()
  for (const letter of batch.deadLetters ?? []) {
    checkCount('deadLetter.notificationId', letter.notificationId, 1)
    if (letters.has(letter.notificationId))
      throw invalidArgument(`two dead letters for notification ${letter.notificationId} in one batch`)
    letters.add(letter.notificationId)
    checkStreamId(letter.streamId)
    checkCount('deadLetter.version', letter.version, 0)
    if (typeof letter.code !== 'string' || typeof letter.message !== 'string')
      throw invalidArgument('a dead letter needs a code and a message (strings)')
    if (letter.notificationId <= from || letter.notificationId > to)
      throw invalidArgument(`dead letter ${letter.notificationId} is outside the batch (${from}, ${to}]`)
  }
}
