// The in-memory recorder: the reference implementation of the recorder ports and the model in
// model-based tests of the others. Events are kept encoded, exactly as a database would keep them.

import { concurrencyError, invalidArgument, recorderClosed, trackingConflict } from './errors.js'
import { checkEventId, newEventId } from './event-id.js'
import { createLocalPorts } from './local-ports.js'
import { createMemoryProjections } from './memory-projections.js'
import type { ProjectionRecorder } from './projections.js'
import type { Recorder } from './recorder.js'
import type {
  InsertOptions,
  Notification,
  SelectEventsOptions,
  SelectNotificationsOptions,
  StoredEvent,
  Tracking,
} from './records.js'
import { checkCount, checkStoredEvent, checkStreamId, checkTracking, trackedIds } from './validate.js'

/** The memory recorder: a full recorder whose state lives in this process until `close()`. */
export type MemoryRecorder = Recorder & ProjectionRecorder

const copy = (n: Notification): Notification => ({
  ...n,
  data: n.data.slice(),
  ...(n.metadata === undefined ? {} : { metadata: structuredClone(n.metadata) }),
})
const copyEvent = ({ streamId, version, type, schemaVersion, data }: StoredEvent): StoredEvent => ({
  streamId,
  version,
  type,
  schemaVersion,
  data: data.slice(),
})

/** Finds the index of `version` in a stream sorted by version, or where it would be inserted (as ~index). */
const search = (stream: readonly Notification[], version: number): number => {
  let low = 0
  let high = stream.length - 1
  while (low <= high) {
    const mid = (low + high) >>> 1
    const v = (stream[mid] as Notification).version
    if (v === version) return mid
    if (v < version) low = mid + 1
    else high = mid - 1
  }
  return ~low
}

const duplicateEventId = (event: StoredEvent) =>
  concurrencyError(event.streamId, event.version, undefined, event.eventId)

/** Creates an empty memory recorder. */
export const createMemoryRecorder = (): MemoryRecorder => {
  const log: Notification[] = []
  const streams = new Map<string, Notification[]>()
  const tracked = new Map<string, { max: number; ids: Set<number> }>()
  const snapshots = new Map<string, Notification[]>()
  const local = createLocalPorts(() => open())
  const dataKeys = new Map<string, Uint8Array>()
  // The ids stored, indexed only once a caller gives one of its own (generated ids are new anyway).
  let eventIds: Set<string> | undefined
  const storedIds = (): Set<string> => {
    eventIds ??= new Set(log.map((n) => n.eventId as string))
    return eventIds
  }
  let closed = false

  const open = (): void => {
    if (closed) throw recorderClosed('memory')
  }

  /** Validates a whole batch before anything is written, so a batch is applied entirely or not at all. */
  const checkBatch = (events: readonly StoredEvent[], tracking: Tracking | undefined): void => {
    const seen = new Set<string>()
    for (const event of events) {
      checkStoredEvent(event)
      const key = `${event.version}:${event.streamId}`
      const stream = streams.get(event.streamId)
      if (seen.has(key) || (stream && search(stream, event.version) >= 0))
        throw concurrencyError(event.streamId, event.version)
      seen.add(key)
      if (event.eventId !== undefined) {
        checkEventId(event.eventId, event.streamId, event.version)
        if (storedIds().has(event.eventId) || seen.has(event.eventId)) throw duplicateEventId(event)
        seen.add(event.eventId)
      }
    }
    checkTracking(tracking)
    const ids = tracking && tracked.get(tracking.upstream)?.ids
    const conflict = tracking && ids && trackedIds(tracking).find((id) => ids.has(id))
    if (tracking && conflict !== undefined) throw trackingConflict(tracking.upstream, conflict)
  }

  const append = (event: StoredEvent): number => {
    const eventId = event.eventId ?? newEventId()
    const id = log.length + 1
    const recordedAt = new Date()
    const { streamId, version, type, schemaVersion } = event
    const data = event.data.slice()
    const notification: Notification =
      event.metadata === undefined
        ? { streamId, version, type, schemaVersion, data, eventId, id, recordedAt }
        : {
            streamId,
            version,
            type,
            schemaVersion,
            data,
            eventId,
            metadata: structuredClone(event.metadata),
            id,
            recordedAt,
          }
    log.push(notification)
    eventIds?.add(eventId)
    const stream = streams.get(event.streamId)
    if (!stream) streams.set(event.streamId, [notification])
    else if ((stream[stream.length - 1] as Notification).version < event.version) stream.push(notification)
    else stream.splice(~search(stream, event.version), 0, notification)
    return notification.id
  }

  const track = (tracking: Tracking): void => {
    const { upstream, notificationId } = tracking
    const entry = tracked.get(upstream) ?? { max: 0, ids: new Set<number>() }
    for (const id of trackedIds(tracking)) entry.ids.add(id)
    entry.max = Math.max(entry.max, notificationId)
    tracked.set(upstream, entry)
  }

  const insertEvents = async (
    events: readonly StoredEvent[],
    options: InsertOptions = {},
  ): Promise<readonly number[]> => {
    open()
    checkBatch(events, options.tracking)
    const ids = events.map(append)
    if (options.tracking) track(options.tracking)
    if (ids.length > 0) local.wake()
    return ids
  }

  const selectEvents = async (
    streamId: string,
    options: SelectEventsOptions = {},
  ): Promise<readonly Notification[]> => {
    open()
    checkStreamId(streamId)
    const {
      after = 0,
      upTo = Number.MAX_SAFE_INTEGER,
      backwards = false,
      limit = Number.MAX_SAFE_INTEGER,
    } = options
    checkCount('after', after, 0)
    checkCount('upTo', upTo, 0)
    checkCount('limit', limit, 0)
    const stream = streams.get(streamId) ?? []
    const from = search(stream, after + 1)
    const to = search(stream, upTo)
    const slice = stream.slice(from >= 0 ? from : ~from, to >= 0 ? to + 1 : ~to)
    const ordered = backwards ? slice.reverse() : slice
    return ordered.slice(0, limit).map(copy)
  }

  const selectNotifications = async (
    start: number,
    limit: number,
    options: SelectNotificationsOptions = {},
  ): Promise<readonly Notification[]> => {
    open()
    checkCount('start', start, 1)
    checkCount('limit', limit, 0)
    const stop = checkCount('stop', options.stop ?? Number.MAX_SAFE_INTEGER, 0)
    const types = options.types ? new Set(options.types) : undefined
    const page: Notification[] = []
    for (let i = start - 1; i < log.length && page.length < limit; i++) {
      const notification = log[i] as Notification
      if (notification.id > stop) break
      if (!types || types.has(notification.type)) page.push(copy(notification))
    }
    return page
  }

  return {
    insertEvents,
    selectEvents,
    selectNotifications,
    maxNotificationId: async () => {
      open()
      return log.length
    },
    maxTrackingId: async (upstream) => {
      open()
      return tracked.get(upstream)?.max ?? 0
    },
    hasTracking: async (upstream, notificationId) => {
      open()
      return tracked.get(upstream)?.ids.has(notificationId) ?? false
    },
    insertSnapshot: async (snapshot) => {
      open()
      checkStoredEvent(snapshot)
      const stored: Notification = { ...snapshot, data: snapshot.data.slice(), id: 0 }
      const list = snapshots.get(snapshot.streamId) ?? []
      const at = search(list, snapshot.version)
      if (at >= 0) list[at] = stored
      else list.splice(~at, 0, stored)
      snapshots.set(snapshot.streamId, list)
    },
    selectSnapshot: async (streamId, upTo = Number.MAX_SAFE_INTEGER) => {
      open()
      checkStreamId(streamId)
      checkCount('upTo', upTo, 0)
      const list = snapshots.get(streamId) ?? []
      const at = search(list, upTo)
      const found = list[at >= 0 ? at : ~at - 1]
      return found ? copyEvent(found) : undefined
    },
    insertDataKey: async (subject, wrapped) => {
      open()
      checkStreamId(subject)
      if (!dataKeys.has(subject)) dataKeys.set(subject, wrapped.slice())
      return (dataKeys.get(subject) as Uint8Array).slice()
    },
    selectDataKeys: async (subjects) => {
      open()
      return new Map(
        subjects.flatMap((s) =>
          dataKeys.has(s) ? [[s, (dataKeys.get(s) as Uint8Array).slice()] as const] : [],
        ),
      )
    },
    replaceDataKey: async (subject, wrapped) => {
      open()
      if (!dataKeys.has(subject)) throw invalidArgument(`subject "${subject}" has no data key`, { subject })
      dataKeys.set(subject, wrapped.slice())
    },
    deleteDataKey: async (subject) => {
      open()
      dataKeys.delete(subject)
    },
    replaceEventData: async (rows) => {
      open()
      const found = rows.map(({ streamId, version }) => {
        const stream = streams.get(streamId) ?? []
        const at = search(stream, version)
        if (at < 0) throw invalidArgument(`no event at ${streamId}@${version}`, { streamId, version })
        return [stream, at] as const
      })
      found.forEach(([stream, at], i) => {
        const old = stream[at] as Notification
        const replaced = { ...old, data: (rows[i] as StoredEvent).data.slice() }
        stream[at] = replaced
        log[old.id - 1] = replaced
      })
    },
    ...local.ports,
    ...createMemoryProjections(open),
    close: async () => {
      closed = true
      local.clear()
    },
  }
}
