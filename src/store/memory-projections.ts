// Projections kept in memory: the reference implementation of the projection port, used by the
// memory recorder (and the model the SQLite and PostgreSQL ones are tested against).

import { trackingConflict } from './errors.js'
import {
  checkKey,
  checkProjectionBatch,
  checkProjectionVersion,
  type DeadLetter,
  type DocumentQuery,
  type ProjectionBatch,
  type ProjectionRecorder,
  type ProjectionStatus,
  type ProjectionVersion,
  type StoredDocument,
} from './projections.js'
import { checkCount } from './validate.js'

/** The most documents one read returns. */
export const MAX_DOCUMENTS = 10_000

interface Version {
  status: ProjectionStatus
  readonly documents: Map<string, StoredDocument>
  readonly deadLetters: DeadLetter[]
}

const copyDocument = (document: StoredDocument): StoredDocument => structuredClone(document)

/** Orders keys as the databases do: by their UTF-8 bytes (code point order, unlike JavaScript's sort). */
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** The tracking upstream name of a projection version (in TrackingConflict errors). */
export const trackingName = ({ name, version }: ProjectionVersion): string => `projection ${name} v${version}`

/** Checks a query's paging options; resolves to the limit. */
export const checkQuery = (query: DocumentQuery & { readonly keys?: readonly string[] }): number => {
  if (query.where) checkKey('indexed field name', query.where.field)
  if (query.after !== undefined) checkKey('after', query.after)
  for (const key of query.keys ?? []) checkKey('document key', key)
  return Math.min(checkCount('limit', query.limit ?? MAX_DOCUMENTS, 0), MAX_DOCUMENTS)
}

/** Creates the projection part of a memory recorder; `open` throws once the recorder is closed. */
export const createMemoryProjections = (open: () => void): ProjectionRecorder => {
  const versions = new Map<string, Map<number, Version>>()
  const find = (projection: ProjectionVersion): Version | undefined =>
    versions.get(projection.name)?.get(projection.version)
  const register = (projection: ProjectionVersion): Version => {
    checkProjectionVersion(projection)
    const byVersion = versions.get(projection.name) ?? new Map<number, Version>()
    versions.set(projection.name, byVersion)
    const existing = byVersion.get(projection.version)
    if (existing) return existing
    const created: Version = {
      status: {
        name: projection.name,
        version: projection.version,
        position: 0,
        ready: false,
        updatedAt: new Date(),
      },
      documents: new Map(),
      deadLetters: [],
    }
    byVersion.set(projection.version, created)
    return created
  }
  /** Checks the batch and the position it moves from; resolves to the version it moves. */
  const moving = (projection: ProjectionVersion, batch: ProjectionBatch): Version => {
    open()
    checkProjectionVersion(projection)
    checkProjectionBatch(batch)
    const found = find(projection)
    if (!found || found.status.position !== batch.from)
      throw trackingConflict(trackingName(projection), batch.from + 1)
    return found
  }
  const move = (found: Version, batch: ProjectionBatch): void => {
    for (const letter of batch.deadLetters ?? [])
      found.deadLetters.push({ ...letter, recordedAt: new Date() })
    found.status = { ...found.status, position: batch.to, updatedAt: new Date() }
  }

  return {
    registerProjection: async (projection) => {
      open()
      return { ...register(projection).status }
    },
    selectProjections: async (name) => {
      open()
      const names =
        name === undefined ? [...versions.keys()].sort(byBytes) : [checkKey('projection name', name)]
      return names.flatMap((n) =>
        [...(versions.get(n)?.values() ?? [])]
          .map((v) => ({ ...v.status }))
          .sort((a, b) => a.version - b.version),
      )
    },
    selectDocuments: async (projection, keys) => {
      open()
      checkProjectionVersion(projection)
      for (const key of keys) checkKey('document key', key)
      const documents = find(projection)?.documents
      const found = new Map<string, StoredDocument>()
      for (const key of keys) {
        const document = documents?.get(key)
        if (document) found.set(key, copyDocument(document))
      }
      return found
    },
    commitProjection: async (projection, batch) => {
      const found = moving(projection, batch)
      for (const change of batch.changes ?? []) {
        if (change._tag === 'Delete') found.documents.delete(change.key)
        else found.documents.set(change.document.key, copyDocument(change.document))
      }
      move(found, batch)
    },
    markReady: async (projection) => {
      open()
      checkProjectionVersion(projection)
      const found = find(projection)
      if (found) found.status = { ...found.status, ready: true, updatedAt: new Date() }
    },
    readDocuments: async (name, upTo, query) => {
      open()
      checkKey('projection name', name)
      checkCount('version', upTo, 1)
      const limit = checkQuery(query)
      const candidates = [...(versions.get(name)?.values() ?? [])]
        .filter((v) => v.status.version <= upTo)
        .sort(
          (a, b) => Number(b.status.ready) - Number(a.status.ready) || b.status.version - a.status.version,
        )
      const serving = candidates[0]
      if (!serving) return undefined
      const { where, after } = query
      const keys = query.keys ?? [...serving.documents.keys()].sort(byBytes)
      const documents: StoredDocument[] = []
      for (const key of keys) {
        if (documents.length >= limit) break
        if (after !== undefined && byBytes(key, after) <= 0) continue
        const document = serving.documents.get(key)
        if (!document) continue
        if (where && document.fields?.[where.field] !== where.value) continue
        documents.push(copyDocument(document))
      }
      return { version: serving.status.version, documents }
    },
    selectDeadLetters: async (projection) => {
      open()
      checkProjectionVersion(projection)
      return (find(projection)?.deadLetters ?? []).map((letter) => ({ ...letter }))
    },
    dropProjection: async (projection) => {
      open()
      checkProjectionVersion(projection)
      versions.get(projection.name)?.delete(projection.version)
    },
  }
}
