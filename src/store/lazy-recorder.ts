// A recorder created on first use: lets a synchronous factory hand out a recorder whose driver
// (and its import) is loaded only when the first operation needs it.

import { EventfoldError } from '../codec/index.js'
import type { ProjectionRecorder, SqlProjectionRecorder } from './projections.js'
import type { Recorder } from './recorder.js'

/** A recorder that keeps projections, SQL ones too where its database has tables. */
type Created = Recorder & ProjectionRecorder & Partial<SqlProjectionRecorder<unknown>>

/**
 * Wraps `create` so that it runs once, on the first call of any method; `close()` before that
 * creates nothing. Its SQL projections get the created recorder's transaction (none on memory).
 */
export const lazyRecorder = (
  create: () => Promise<Created>,
  options: { readonly synchronousWrites?: boolean } = {},
): Recorder & SqlProjectionRecorder<unknown> => {
  let created: Promise<Created> | undefined
  let closed = false
  const get = (): Promise<Created> => {
    created ??= create().catch((error: unknown) => {
      created = undefined
      throw error
    })
    return created
  }
  return {
    // Known before the recorder exists, so that an async SQL projection is refused up front on SQLite.
    ...(options.synchronousWrites ? { synchronousWrites: true } : {}),
    insertEvents: async (events, options) => (await get()).insertEvents(events, options),
    selectEvents: async (streamId, options) => (await get()).selectEvents(streamId, options),
    selectNotifications: async (start, limit, options) =>
      (await get()).selectNotifications(start, limit, options),
    maxNotificationId: async () => (await get()).maxNotificationId(),
    maxTrackingId: async (upstream) => (await get()).maxTrackingId(upstream),
    hasTracking: async (upstream, id) => (await get()).hasTracking(upstream, id),
    selectTrackers: async () => {
      const recorder = await get()
      return recorder.selectTrackers ? recorder.selectTrackers() : []
    },
    insertSnapshot: async (snapshot) => (await get()).insertSnapshot(snapshot),
    selectSnapshot: async (streamId, upTo) => (await get()).selectSnapshot(streamId, upTo),
    subscribe: async (listener) => (await get()).subscribe(listener),
    insertDataKey: async (subject, wrapped) => (await get()).insertDataKey(subject, wrapped),
    selectDataKeys: async (subjects) => (await get()).selectDataKeys(subjects),
    replaceDataKey: async (subject, wrapped) => (await get()).replaceDataKey(subject, wrapped),
    deleteDataKey: async (subject) => (await get()).deleteDataKey(subject),
    replaceEventData: async (rows) => (await get()).replaceEventData(rows),
    acquireLease: async (name) => (await get()).acquireLease(name),
    registerProjection: async (projection) => (await get()).registerProjection(projection),
    selectProjections: async (name) => (await get()).selectProjections(name),
    selectDocuments: async (projection, keys) => (await get()).selectDocuments(projection, keys),
    commitProjection: async (projection, batch) => (await get()).commitProjection(projection, batch),
    markReady: async (projection) => (await get()).markReady(projection),
    readDocuments: async (name, upTo, query) => (await get()).readDocuments(name, upTo, query),
    selectDeadLetters: async (projection) => (await get()).selectDeadLetters(projection),
    dropProjection: async (projection) => (await get()).dropProjection(projection),
    commitSqlProjection: async (projection, batch, write) => {
      const recorder = await get()
      if (!recorder.commitSqlProjection)
        throw new EventfoldError(
          'InvalidConfiguration',
          `the ${projection.name} projection writes SQL, and this store has no tables`,
        )
      return recorder.commitSqlProjection(projection, batch, write)
    },
    close: async () => {
      if (closed) return
      closed = true
      if (created) await (await created).close()
    },
  }
}
