// Document projections at run time: each batch reads the documents its entries change, folds the
// entries into them with the projection's pure `evolve`, and commits the changed documents with the
// new position in one transaction; and the reader that serves them (get, list, find, waitFor).

import type { Application } from '../application/index.js'
import { EventfoldError } from '../codec/index.js'
import { type DocumentProjection, indexedFields } from '../process/index.js'
import {
  checkKey,
  checkProjectionBatch,
  type DeadLetter,
  type DocumentChange,
  type Instrumentation,
  keepsProjections,
  type LeaseRecorder,
  type Notification,
  type ProjectionRecorder,
  type StoredDocument,
} from '../store/index.js'
import {
  type Applier,
  createRunnerOf,
  deadLetter,
  type Item,
  type PoisonPolicy,
  type ProjectionRunner,
  projectionFailed,
} from './durable.js'
import type { LogSource } from './follower.js'
import { waitForProjection } from './wait.js'

/** Where a projection keeps its documents and position: a projection recorder (memory, SQLite, PostgreSQL). */
export type ProjectionStore = ProjectionRecorder & Partial<LeaseRecorder>

/** The store of an application's own recorder, when it keeps projections. */
export const storeOf = (source: LogSource<unknown> | Application): ProjectionStore => {
  const recorder = 'recorder' in source ? source.recorder : undefined
  if (recorder && keepsProjections(recorder)) return recorder
  throw new EventfoldError(
    'InvalidConfiguration',
    `"${source.name}" has no recorder that keeps projections: pass a store (a memory, SQLite or PostgreSQL recorder)`,
  )
}

/**
 * A stored document, validated by the projection's codec; DecodeError naming the projection, the
 * version the document belongs to and its key (`served` is that version, when not the projection's own).
 */
const decodeDocument = <D>(
  projection: DocumentProjection<D, never>,
  stored: StoredDocument,
  served = projection.version,
): D => {
  const decoded = projection.codec.decode(stored)
  if (decoded._tag === 'Left') {
    const { message, path } = decoded.left
    const older =
      served === projection.version
        ? ''
        : ` — v${served} serves until v${projection.version} is ready, and its documents do not fit v${projection.version}'s codec: ` +
          'build the new version before its readers are deployed (eventfold rebuild), or give its codec upcasters from the old shape'
    throw new EventfoldError(
      'DecodeError',
      `document "${stored.key}" of projection "${projection.name}" v${served}: ${message}${older}`,
      { projection: projection.name, projectionVersion: served, key: stored.key, path },
    )
  }
  return decoded.right
}

const toChange = <D>(
  projection: DocumentProjection<D, never>,
  key: string,
  document: D | undefined,
): DocumentChange => {
  if (document === undefined) return { _tag: 'Delete', key }
  const encoded = projection.codec.encode(document)
  const fields = indexedFields(projection, document)
  return { _tag: 'Put', document: { key, ...encoded, ...(fields ? { fields } : {}) } }
}

/** The applier of a document projection. */
const documentApplier = <D, Entry>(
  projection: DocumentProjection<D, Entry>,
  store: ProjectionStore,
): Applier<Entry> => {
  const version = { name: projection.name, version: projection.version }
  return {
    projection: version,
    store,
    apply: async (items, from, to, poison) => {
      const keysOf = new Map<Item<Entry>, readonly string[]>()
      const failed = new Map<Item<Entry>, unknown>()
      const all = new Set<string>()
      for (const item of items) {
        if (item._tag === 'Undecodable') continue
        try {
          const keys = projection.keys(item.entry)
          if (!Array.isArray(keys))
            throw new TypeError(`keys of projection "${projection.name}" gave no array`)
          for (const key of keys) checkKey('document key', key)
          keysOf.set(item, keys)
          for (const key of keys) all.add(key)
        } catch (error) {
          failed.set(item, error)
        }
      }
      const stored = await store.selectDocuments(version, [...all])
      const documents = new Map<string, D | undefined>()
      for (const [key, document] of stored) documents.set(key, decodeDocument(projection, document))
      // The stored form of each document changed so far, encoded and checked at the entry that changed it.
      const changed = new Map<string, DocumentChange>()
      const deadLetters: DeadLetter[] = []
      const commit = async (upTo: number) => {
        await store.commitProjection(version, { from, to: upTo, changes: [...changed.values()], deadLetters })
      }
      /** Folds one entry into each of its documents, all or none; resolves to the error if one failed. */
      const evolveAll = (item: Item<Entry> & { _tag: 'Entry' }): unknown => {
        const next = new Map<string, D | undefined>()
        const changes = new Map<string, DocumentChange>()
        try {
          for (const key of keysOf.get(item) ?? [])
            next.set(
              key,
              projection.evolve(next.has(key) ? next.get(key) : documents.get(key), item.entry, key),
            )
          // Encoding and storing are checked here, so that a document that cannot be stored fails at its entry.
          for (const [key, document] of next) {
            const change = toChange(projection, key, document)
            checkProjectionBatch({ from: 0, to: 0, changes: [change] })
            changes.set(key, change)
          }
        } catch (error) {
          return error ?? new Error('undefined was thrown')
        }
        for (const [key, document] of next) documents.set(key, document)
        for (const [key, change] of changes) changed.set(key, change)
        return undefined
      }
      let previous = from
      for (const item of items) {
        const error = item._tag === 'Undecodable' ? item.error : (failed.get(item) ?? evolveAll(item))
        if (error !== undefined) {
          if (poison === 'stop') {
            if (previous > from) await commit(previous)
            throw projectionFailed(version, item.notification, error)
          }
          deadLetters.push(deadLetter(item.notification, error))
        }
        previous = item.notification.id
      }
      await commit(to)
      return to
    },
  }
}

/** How to run a document projection. */
export interface DocumentProjectionOptions<D, Entry> {
  /** The application (or remote log) whose log it folds. */
  readonly source: LogSource<Entry> | (Application & LogSource<Entry>)
  readonly projection: DocumentProjection<D, NoInfer<Entry>>
  /** Where its documents and position live (default: the source application's recorder). */
  readonly store?: ProjectionStore
  /** Notifications per transaction (default 500). */
  readonly batchSize?: number
  /** An entry it cannot apply: stop with ProjectionFailed (default), or keep it as a dead letter and go on. */
  readonly poison?: PoisonPolicy
  /** Where its batches are traced and its lag measured (default: the source application's). */
  readonly instrumentation?: Instrumentation
}

/** Reads the documents of a projection: those of the version that serves its name for this definition. */
export interface DocumentReader<D> {
  readonly name: string
  /** The document under `key`, or undefined. */
  get(key: string): Promise<D | undefined>
  /** Documents in key order (at most `limit`, default and at most 10,000; after the key `after`). */
  list(options?: {
    readonly after?: string
    readonly limit?: number
  }): Promise<readonly { key: string; document: D }[]>
  /** Documents whose indexed `field` has `value`, in key order. */
  find(
    field: string,
    value: string | number | boolean,
    options?: { readonly after?: string; readonly limit?: number },
  ): Promise<readonly { key: string; document: D }[]>
  /**
   * Resolves once the serving version has applied notification `notificationId` (say, one that
   * `execute` returned), so that a read sees its own write; Timeout after `timeoutMs` (default 5,000).
   */
  waitFor(
    notificationId: number,
    options?: { readonly timeoutMs?: number; readonly pollMs?: number },
  ): Promise<void>
}

/** A reader of a document projection's documents, for handlers that do not run it. */
export const documentReader = <D>(
  store: ProjectionRecorder,
  projection: DocumentProjection<D, never>,
): DocumentReader<D> => {
  const { name, version } = projection
  const read = async (query: Parameters<ProjectionRecorder['readDocuments']>[2]) => {
    // While this version builds, an older one serves: its documents are decoded by this codec.
    const found = await store.readDocuments(name, version, query)
    return (found?.documents ?? []).map((document) => ({
      key: document.key,
      document: decodeDocument(projection, document, found?.version),
    }))
  }
  return {
    name,
    get: async (key) => (await read({ keys: [key] }))[0]?.document,
    list: (options = {}) => read(options),
    find: (field, value, options = {}) => {
      if (!Object.hasOwn(projection.indexes ?? {}, field))
        return Promise.reject(
          new EventfoldError(
            'InvalidArgument',
            `projection "${name}" has no index "${field}" (its indexes: ${Object.keys(projection.indexes ?? {}).join(', ') || 'none'})`,
            { projection: name, field },
          ),
        )
      return read({ ...options, where: { field, value: String(value) } })
    },
    waitFor: (notificationId, options) => waitForProjection(store, projection, notificationId, options),
  }
}

/** A running document projection: its runner and its reader. */
export interface DocumentProjectionRunner<D> extends ProjectionRunner, DocumentReader<D> {
  readonly name: string
}

/** Creates the runner of a document projection (nothing runs until `catchUp`, `run` or `start`). */
export const createDocumentProjection = <D, Entry extends { readonly notification: Notification }>(
  options: DocumentProjectionOptions<D, Entry>,
): DocumentProjectionRunner<D> => {
  const store = options.store ?? storeOf(options.source)
  const runner = createRunnerOf(options.source, documentApplier(options.projection, store), options)
  return { ...runner, ...documentReader(store, options.projection) }
}
