// A recorder created on first use: lets a synchronous factory hand out a recorder whose driver
// (and its import) is loaded only when the first operation needs it.

import type { Recorder } from './recorder.js'

/** Wraps `create` so that it runs once, on the first call of any method; `close()` before that creates nothing. */
export const lazyRecorder = (create: () => Promise<Recorder>): Recorder => {
  let created: Promise<Recorder> | undefined
  let closed = false
  const get = (): Promise<Recorder> => {
    created ??= create().catch((error: unknown) => {
      created = undefined
      throw error
    })
    return created
  }
  return {
    insertEvents: async (events, options) => (await get()).insertEvents(events, options),
    selectEvents: async (streamId, options) => (await get()).selectEvents(streamId, options),
    selectNotifications: async (start, limit, options) =>
      (await get()).selectNotifications(start, limit, options),
    maxNotificationId: async () => (await get()).maxNotificationId(),
    maxTrackingId: async (upstream) => (await get()).maxTrackingId(upstream),
    hasTracking: async (upstream, id) => (await get()).hasTracking(upstream, id),
    insertSnapshot: async (snapshot) => (await get()).insertSnapshot(snapshot),
    selectSnapshot: async (streamId, upTo) => (await get()).selectSnapshot(streamId, upTo),
    subscribe: async (listener) => (await get()).subscribe(listener),
    insertDataKey: async (subject, wrapped) => (await get()).insertDataKey(subject, wrapped),
    selectDataKeys: async (subjects) => (await get()).selectDataKeys(subjects),
    replaceDataKey: async (subject, wrapped) => (await get()).replaceDataKey(subject, wrapped),
    deleteDataKey: async (subject) => (await get()).deleteDataKey(subject),
    replaceEventData: async (rows) => (await get()).replaceEventData(rows),
    acquireLease: async (name) => (await get()).acquireLease(name),
    close: async () => {
      if (closed) return
      closed = true
      if (created) await (await created).close()
    },
  }
}
