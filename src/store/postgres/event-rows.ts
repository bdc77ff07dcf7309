// How notifications are read: the columns selected, and a row turned into a Notification. The
// driver's cost is per column (a string made of each value, then parsed), so the numbers, the time
// and the event id come as one text column, and the time as milliseconds (the driver would parse a
// timestamptz with new Date(text), several times the cost of the rest of a row).

import type { EventMetadata, Notification, StoredEvent } from '../records.js'

/** The text column: notification id, version, schema version, milliseconds, event id (empty when none). */
const INFO = `concat(notification_id, ' ', version, ' ', schema_version, ' ',
  floor(extract(epoch from recorded_at) * 1000)::int8, ' ', event_id) as info`

/** The columns of the events of one stream (whose id the caller knows). */
export const STREAM_COLUMNS = `${INFO}, type, data, metadata`

/** The columns of notifications of any stream. */
export const LOG_COLUMNS = `${INFO}, stream_id, type, data, metadata`

/** A row of those columns, as the driver hands it over. */
export interface EventRow {
  readonly info: string
  readonly stream_id?: string
  readonly type: string
  readonly data: Uint8Array
  readonly metadata: EventMetadata | null
}

/** Bytes as a plain Uint8Array over the same memory (the driver gives Buffers). */
export const view = (data: Uint8Array): Uint8Array =>
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength)

// Where the next field of the info text starts.
let cursor = 0

/** The (possibly negative) whole number at the cursor; the cursor moves past the space after it. */
const wholeNumber = (text: string): number => {
  const negative = text.charCodeAt(cursor) === 45
  if (negative) cursor += 1
  let n = 0
  for (let c = text.charCodeAt(cursor++); c >= 48 && c <= 57; c = text.charCodeAt(cursor++))
    n = n * 10 + c - 48
  return negative ? -n : n
}

/** A row as a notification of `streamId` (the row's own when absent), built as one object literal. */
export const toNotification = (row: EventRow, streamId = row.stream_id as string): Notification => {
  const { info, type, metadata } = row
  cursor = 0
  const id = wholeNumber(info)
  const version = wholeNumber(info)
  const schemaVersion = wholeNumber(info)
  const recordedAt = new Date(wholeNumber(info))
  const eventId = cursor < info.length ? info.slice(cursor) : undefined
  const data = view(row.data)
  if (metadata)
    return eventId
      ? { streamId, version, type, schemaVersion, data, eventId, metadata, id, recordedAt }
      : { streamId, version, type, schemaVersion, data, metadata, id, recordedAt }
  return eventId
    ? { streamId, version, type, schemaVersion, data, eventId, id, recordedAt }
    : { streamId, version, type, schemaVersion, data, id, recordedAt }
}

/** A snapshot's row. */
export interface SnapshotRow {
  readonly stream_id: string
  readonly version: string
  readonly type: string
  readonly schema_version: number
  readonly data: Uint8Array
}

/** The stored form of a snapshot's row. */
export const snapshotOf = (row: SnapshotRow): StoredEvent => ({
  streamId: row.stream_id,
  version: Number(row.version),
  type: row.type,
  schemaVersion: row.schema_version,
  data: view(row.data),
})
