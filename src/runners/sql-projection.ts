// SQL projections, the escape hatch: a handler writes whatever tables it likes inside the
// transaction that moves the projection's position, so each notification is applied exactly once.

import { EventfoldError, isEventfoldError } from '../codec/index.js'
import type { Instrumentation, LeaseRecorder, Notification, SqlProjectionRecorder } from '../store/index.js'
import {
  type Applier,
  createRunnerOf,
  deadLetter,
  type Item,
  isPassing,
  type PoisonPolicy,
  type ProjectionRunner,
  projectionFailed,
} from './durable.js'
import type { LogSource } from './follower.js'

/**
 * A projection that writes its own tables. `Tx` is the store's transaction: a postgres.js
 * transaction on PostgreSQL, the better-sqlite3 database on SQLite (where `handle` must not be async).
 */
export interface SqlProjection<Tx, Entry> {
  readonly name: string
  /** Its version (from 1): a new one builds from notification 1, in tables named after it (see `handle`). */
  readonly version: number
  /** Writes what a batch of entries (in log order, erased ones included) changes; `version` is to name its tables. */
  readonly handle: (tx: Tx, entries: readonly Entry[], context: { readonly version: number }) => unknown
}

/** Defines an SQL projection (version 1 unless given). */
export const sqlProjection = <Tx, Entry>(
  definition: Omit<SqlProjection<Tx, Entry>, 'version'> & { readonly version?: number },
): SqlProjection<Tx, Entry> => ({ ...definition, version: definition.version ?? 1 })

/**
 * Failures of the store or its configuration, never clearly of one entry: never kept as dead
 * letters. A statement timeout is among them: a slow database is no reason to set entries aside.
 */
const SYSTEMIC = new Set([
  'PermissionDenied',
  'SchemaMissing',
  'SchemaTooNew',
  'InvalidConfiguration',
  'RecorderClosed',
  'Timeout',
])
const isSystemic = (error: unknown): boolean => isEventfoldError(error) && SYSTEMIC.has(error.code)

const sqlApplier = <Tx, Entry>(
  projection: SqlProjection<Tx, Entry>,
  store: SqlProjectionRecorder<Tx> & Partial<LeaseRecorder>,
): Applier<Entry> => {
  const version = { name: projection.name, version: projection.version }
  const context = { version: projection.version }
  const write = (entries: readonly Entry[]) => (tx: Tx) => projection.handle(tx, entries, context)
  return {
    projection: version,
    store,
    apply: async (items, from, to, poison) => {
      /** Stops before the item, or keeps it as a dead letter; resolves to the position after it. */
      const failed = async (item: Item<Entry>, error: unknown, at: number): Promise<number> => {
        if (poison === 'stop') throw projectionFailed(version, item.notification, error)
        const id = item.notification.id
        await store.commitProjection(version, {
          from: at,
          to: id,
          deadLetters: [deadLetter(item.notification, error)],
        })
        return id
      }
      const entries = items.flatMap((item) => (item._tag === 'Entry' ? [item.entry] : []))
      if (entries.length === items.length) {
        try {
          await store.commitSqlProjection(version, { from, to }, write(entries))
          return to
        } catch (error) {
          if (isPassing(error) || isSystemic(error)) throw error
        }
        // Does it fail with no entry at all? Then the handler or the store is at fault, not an entry.
        try {
          await store.commitSqlProjection(version, { from, to: from }, write([]))
        } catch (error) {
          if (isPassing(error) || isEventfoldError(error)) throw error
          throw new EventfoldError(
            'InvalidConfiguration',
            `SQL projection "${projection.name}" v${projection.version} fails with no entry at all, so no entry is at fault ` +
              `(is it written for another database than its store's?): ${error instanceof Error ? error.message : String(error)}`,
            { projection: projection.name, projectionVersion: projection.version },
            { cause: error },
          )
        }
      }
      // Something failed (and was rolled back): one notification per transaction, to find which.
      let position = from
      for (const item of items) {
        if (item._tag === 'Undecodable') position = await failed(item, item.error, position)
        else {
          try {
            await store.commitSqlProjection(
              version,
              { from: position, to: item.notification.id },
              write([item.entry]),
            )
            position = item.notification.id
          } catch (error) {
            if (isPassing(error) || isSystemic(error)) throw error
            position = await failed(item, error, position)
          }
        }
      }
      if (position < to) await store.commitProjection(version, { from: position, to })
      return to
    },
  }
}

/** How to run an SQL projection. */
export interface SqlProjectionOptions<Tx, Entry> {
  readonly source: LogSource<Entry>
  readonly projection: SqlProjection<Tx, NoInfer<Entry>>
  /** The database its tables and position live in: a SQLite or PostgreSQL recorder (of this application or another database). */
  readonly store: SqlProjectionRecorder<Tx> & Partial<LeaseRecorder>
  /** Notifications per transaction (default 500). */
  readonly batchSize?: number
  /** An entry it cannot apply: stop with ProjectionFailed (default), or keep it as a dead letter and go on. */
  readonly poison?: PoisonPolicy
  /** Where its batches are traced and its lag measured (default: the source application's). */
  readonly instrumentation?: Instrumentation
}

/** Creates the runner of an SQL projection (nothing runs until `catchUp`, `run` or `start`). */
export const createSqlProjection = <Tx, Entry extends { readonly notification: Notification }>(
  options: SqlProjectionOptions<Tx, Entry>,
): ProjectionRunner => {
  if (typeof options.store.commitSqlProjection !== 'function')
    throw new EventfoldError(
      'InvalidConfiguration',
      `the store of "${options.projection.name}" runs no SQL projections`,
    )
  if (options.store.synchronousWrites && options.projection.handle.constructor.name === 'AsyncFunction')
    throw new EventfoldError(
      'InvalidConfiguration',
      `the handle of SQL projection "${options.projection.name}" is async, and its store (SQLite) writes synchronously: ` +
        'what it did after its first await would not be in the transaction',
    )
  return createRunnerOf(options.source, sqlApplier(options.projection, options.store), options)
}
