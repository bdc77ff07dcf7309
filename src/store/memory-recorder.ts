// The in-memory recorder: the reference implementation of the recorder ports and the model in
// model-based tests of the others. Events are kept encoded, exactly as a database would keep them.

import { concurrencyError, invalidArgument, recorderClosed, trackingConflict } from './errors.js'
import { checkEventId, newEventId } from './event-id.js'
import { createLocalPorts } from './local-ports.js'
import { createMemoryProjections } from './memory-projections.js'
import type { ProjectionRecorder } from './projections.js'
import type { Recorder } from './recorder.js'
import type {
  EventMetadata,
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

/**
 * A notification as the recorder keeps it: its bytes at `offset` in `chunk` (a block shared by many
 * events, so that copying data in allocates nothing per event), its time in milliseconds.
 */
interface Row {
  readonly streamId: string
  readonly version: number
  readonly type: string
  readonly schemaVersion: number
  readonly eventId: string | undefined
  readonly metadata: EventMetadata | undefined
  readonly id: number
  readonly at: number
  readonly chunk: Uint8Array
  readonly offset: number
  readonly length: number
}

/** Bytes per shared block; data larger than a quarter of one gets a block of its own. */
const CHUNK = 64 * 1024

/** The notification a row holds, on objects of the caller's own (bytes and metadata copied out). */
const notificationOf = (row: Row): Notification => {
  const { streamId, version, type, schemaVersion, eventId, id } = row
  const data = row.chunk.slice(row.offset, row.offset + row.length)
  const recordedAt = new Date(row.at)
  if (row.metadata === undefined)
    return eventId === undefined
      ? { streamId, version, type, schemaVersion, data, id, recordedAt }
      : { streamId, version, type, schemaVersion, data, eventId, id, recordedAt }
  const metadata = structuredClone(row.metadata)
  return eventId === undefined
    ? { streamId, version, type, schemaVersion, data, metadata, id, recordedAt }
    : { streamId, version, type, schemaVersion, data, eventId, metadata, id, recordedAt }
}

/**
 * A copy of bytes in a plain Uint8Array of their own: `slice()` of a Node Buffer (what the mapper
 * gives) is a view of the same memory, not a copy.
 */
const copyBytes = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes)

const copyEvent = ({ streamId, version, type, schemaVersion, data }: StoredEvent): StoredEvent => ({
  streamId,
  version,
  type,
  schemaVersion,
  data: copyBytes(data),
})

/** Finds the index of `version` in a stream sorted by version, or where it would be inserted (as ~index). */
const search = (stream: readonly { readonly version: number }[], version: number): number => {
  let low = 0
  let high = stream.length - 1
  while (low <= high) {
    const mid = (low + high) >>> 1
    const v = (stream[mid] as { readonly version: number }).version
    if (v === version) return mid
    if (v < version) low = mid + 1
    else high = mid - 1
  }
  return ~low
}

/** True when `version` is in the stream (checked against its last version first: appends go there). */
const holds = (stream: readonly Row[] | undefined, version: number): boolean =>
  stream !== undefined &&
  (stream[stream.length - 1] as Row).version >= version &&
  search(stream, version) >= 0

const duplicateEventId = (event: StoredEvent) =>
  concurrencyError(event.streamId, event.version, undefined, event.eventId)

/** Creates an empty memory recorder. */
export const createMemoryRecorder = (): MemoryRecorder => {
  const log: Row[] = []
  const streams = new Map<string, Row[]>()
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
  // The block new bytes are copied into, and how much of it is used.
  let chunk = new Uint8Array(CHUNK)
  let used = 0

  const open = (): void => {
    if (closed) throw recorderClosed('memory')
  }

  /** A row holding a copy of `event`'s bytes (and of its metadata). */
  const rowOf = (event: StoredEvent, eventId: string | undefined, id: number, at: number): Row => {
    const { streamId, version, type, schemaVersion, data } = event
    const length = data.byteLength
    const metadata = event.metadata === undefined ? undefined : structuredClone(event.metadata)
    if (length > CHUNK / 4) {
      const own = copyBytes(data)
      return {
        streamId,
        version,
        type,
        schemaVersion,
        eventId,
        metadata,
        id,
        at,
        chunk: own,
        offset: 0,
        length,
      }
    }
    if (used + length > CHUNK) {
      chunk = new Uint8Array(CHUNK)
      used = 0
    }
    const offset = used
    chunk.set(data, offset)
    used += length
    return { streamId, version, type, schemaVersion, eventId, metadata, id, at, chunk, offset, length }
  }

  /** Validates a whole batch before anything is written, so a batch is applied entirely or not at all. */
  const checkBatch = (events: readonly StoredEvent[], tracking: Tracking | undefined): void => {
    // Versions and ids met earlier in the batch (a batch of one has none).
    const seen = events.length > 1 ? new Set<string>() : undefined
    for (const event of events) {
      checkStoredEvent(event)
      const key = seen && `${event.version}:${event.streamId}`
      if (holds(streams.get(event.streamId), event.version) || (key !== undefined && seen?.has(key)))
        throw concurrencyError(event.streamId, event.version)
      if (key !== undefined) seen?.add(key)
      if (event.eventId !== undefined) {
        checkEventId(event.eventId, event.streamId, event.version)
        if (storedIds().has(event.eventId) || seen?.has(event.eventId)) throw duplicateEventId(event)
        seen?.add(event.eventId)
      }
    }
    checkTracking(tracking)
    const ids = tracking && tracked.get(tracking.upstream)?.ids
    const conflict = tracking && ids && trackedIds(tracking).find((id) => ids.has(id))
    if (tracking && conflict !== undefined) throw trackingConflict(tracking.upstream, conflict)
  }

  const append = (event: StoredEvent): number => {
    const eventId = event.eventId ?? newEventId()
    const row = rowOf(event, eventId, log.length + 1, Date.now())
    log.push(row)
    eventIds?.add(eventId)
    const stream = streams.get(event.streamId)
    if (!stream) streams.set(event.streamId, [row])
    else if ((stream[stream.length - 1] as Row).version < event.version) stream.push(row)
    else stream.splice(~search(stream, event.version), 0, row)
    return row.id
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
    const stream = streams.get(streamId)
    if (!stream) return []
    const from = search(stream, after + 1)
    const to = search(stream, upTo)
    const first = from >= 0 ? from : ~from
    const last = to >= 0 ? to : ~to - 1
    const page: Notification[] = []
    if (backwards)
      for (let i = last; i >= first && page.length < limit; i--) page.push(notificationOf(stream[i] as Row))
    else
      for (let i = first; i <= last && page.length < limit; i++) page.push(notificationOf(stream[i] as Row))
    return page
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
      const row = log[i] as Row
      if (row.id > stop) break
      if (!types || types.has(row.type)) page.push(notificationOf(row))
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
    selectTrackers: async () => {
      open()
      return [...tracked.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([upstream, { max }]) => ({ upstream, notificationId: max }))
    },
    hasTracking: async (upstream, notificationId) => {
      open()
      return tracked.get(upstream)?.ids.has(notificationId) ?? false
    },
    insertSnapshot: async (snapshot) => {
      open()
      checkStoredEvent(snapshot)
      const stored: Notification = { ...snapshot, data: copyBytes(snapshot.data), id: 0 }
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
      if (!dataKeys.has(subject)) dataKeys.set(subject, copyBytes(wrapped))
      return copyBytes(dataKeys.get(subject) as Uint8Array)
    },
    selectDataKeys: async (subjects) => {
      open()
      return new Map(
        subjects.flatMap((s) =>
          dataKeys.has(s) ? [[s, copyBytes(dataKeys.get(s) as Uint8Array)] as const] : [],
        ),
      )
    },
    replaceDataKey: async (subject, wrapped) => {
      open()
      if (!dataKeys.has(subject)) throw invalidArgument(`subject "${subject}" has no data key`, { subject })
      dataKeys.set(subject, copyBytes(wrapped))
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
        const old = stream[at] as Row
        const { streamId, version, type, schemaVersion, metadata } = old
        const data = (rows[i] as StoredEvent).data
        const event = { streamId, version, type, schemaVersion, data, ...(metadata ? { metadata } : {}) }
        const replaced = rowOf(event, old.eventId, old.id, old.at)
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
