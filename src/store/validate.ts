// Checks every value before it reaches a recorder, so bad input is a typed error and never stored.

import { EventfoldError } from '../codec/index.js'
import { invalidArgument } from './errors.js'
import type { StoredEvent, Tracking } from './records.js'

/** The longest stream id accepted, in UTF-8 bytes (fits a PostgreSQL btree index entry). */
export const MAX_STREAM_ID_BYTES = 1024
/** The longest event type name accepted, in UTF-8 bytes. */
export const MAX_TYPE_BYTES = 255

const encoder = new TextEncoder()

const checkText = (
  code: 'InvalidStreamId' | 'InvalidEventType',
  what: string,
  value: unknown,
  maxBytes: number,
): string => {
  if (typeof value !== 'string' || value.length === 0)
    throw new EventfoldError(code, `${what} must be a non-empty string`)
  if (value.includes('\u0000'))
    throw new EventfoldError(code, `${what} ${JSON.stringify(value)} contains a NUL character`)
  if (!value.isWellFormed())
    throw new EventfoldError(code, `${what} ${JSON.stringify(value)} contains a lone surrogate`)
  if (value.length * 3 > maxBytes && encoder.encode(value).length > maxBytes) {
    throw new EventfoldError(code, `${what} is longer than ${maxBytes} UTF-8 bytes`, { length: value.length })
  }
  return value
}

/** Returns the stream id if it is valid; throws InvalidStreamId otherwise. */
export const checkStreamId = (streamId: unknown): string =>
  checkText('InvalidStreamId', 'stream id', streamId, MAX_STREAM_ID_BYTES)

/** Returns the event type if it is valid; throws InvalidEventType otherwise. */
export const checkEventType = (type: unknown): string =>
  checkText('InvalidEventType', 'event type', type, MAX_TYPE_BYTES)

/** True for a whole number from `min` up that a JavaScript number holds exactly. */
const isCount = (n: unknown, min: number): n is number => Number.isSafeInteger(n) && (n as number) >= min

/** Checks a stored event completely; throws a typed error naming the stream and version. */
export const checkStoredEvent = (event: StoredEvent): void => {
  checkStreamId(event.streamId)
  checkEventType(event.type)
  const context = { streamId: event.streamId, version: event.version }
  if (!isCount(event.version, 1))
    throw new EventfoldError('InvalidVersion', 'version must be an integer >= 1', context)
  if (!isCount(event.schemaVersion, 1))
    throw invalidArgument('schemaVersion must be an integer >= 1', context)
  if (!(event.data instanceof Uint8Array)) throw invalidArgument('data must be a Uint8Array', context)
  if (event.metadata !== undefined) checkMetadata(event.metadata, event.streamId, event.version)
}

/** Checks a position, count or version argument. */
export const checkCount = (name: string, value: unknown, min: number): number => {
  if (!isCount(value, min)) throw invalidArgument(`${name} must be an integer >= ${min}`, { [name]: value })
  return value
}

/** The most bytes an event's metadata may take as JSON. */
export const MAX_METADATA_BYTES = 4096

/** Checks an event's metadata: a plain object of JSON values, string ids, at most 4 KiB as JSON. */
export const checkMetadata = (metadata: unknown, streamId: string, version: number): void => {
  const context = { streamId, version }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw invalidArgument('metadata must be a plain object', context)
  for (const key of ['correlationId', 'causationId'] as const) {
    const id = (metadata as Record<string, unknown>)[key]
    if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > 255))
      throw invalidArgument(`metadata.${key} must be a string of 1 to 255 characters`, context)
  }
  const wrong = notJson(metadata, 'metadata')
  if (wrong) throw invalidArgument(`metadata must hold JSON values only: ${wrong}`, context)
  const json = JSON.stringify(metadata)
  if (json.length * 3 > MAX_METADATA_BYTES && encoder.encode(json).length > MAX_METADATA_BYTES)
    throw new EventfoldError(
      'PayloadTooLarge',
      `metadata is larger than ${MAX_METADATA_BYTES} bytes as JSON`,
      context,
    )
}

/** A string every store keeps as it is: PostgreSQL's jsonb refuses NUL and lone surrogates. */
const storable = (text: string): boolean => !text.includes('\u0000') && text.isWellFormed()

/**
 * Where a value stops being JSON that every store reads back the same (a path and what is there),
 * or undefined. At most `budget` values, 32 levels deep, are visited: a cycle or a huge value ends it.
 */
const notJson = (value: unknown, path: string, budget = { left: 4096 }, depth = 0): string | undefined => {
  if (--budget.left < 0) return `${path}: too many values`
  if (depth > 32) return `${path}: nested deeper than 32 levels (or a cycle)`
  if (value === null || typeof value === 'boolean') return undefined
  if (typeof value === 'string')
    return storable(value) ? undefined : `${path} holds a NUL or a lone surrogate`
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} is ${value}`
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const wrong = notJson(value[i], `${path}[${i}]`, budget, depth + 1)
      if (wrong) return wrong
    }
    return undefined
  }
  if (typeof value !== 'object') return `${path} is a ${typeof value}`
  const prototype = Object.getPrototypeOf(value)
  if (prototype !== Object.prototype && prototype !== null) return `${path} is not a plain object`
  for (const [key, field] of Object.entries(value)) {
    if (!storable(key)) return `${path} has a key with a NUL or a lone surrogate`
    if (field === undefined) continue
    const wrong = notJson(field, `${path}.${key}`, budget, depth + 1)
    if (wrong) return wrong
  }
  return undefined
}

/** The most notifications one tracking (a batch of a process application) may record. */
export const MAX_TRACKED = 10_000

/** Checks a tracking: a non-empty upstream, ids from 1, and a batch of at most MAX_TRACKED. */
export const checkTracking = (tracking: Tracking | undefined): void => {
  if (!tracking) return
  if (typeof tracking.upstream !== 'string' || tracking.upstream.length === 0)
    throw invalidArgument('tracking.upstream must be a non-empty string')
  checkCount('tracking.notificationId', tracking.notificationId, 1)
  if (tracking.after === undefined) return
  checkCount('tracking.after', tracking.after, 0)
  if (tracking.after >= tracking.notificationId)
    throw invalidArgument(
      `tracking.after (${tracking.after}) must be below tracking.notificationId (${tracking.notificationId})`,
    )
  if (tracking.notificationId - tracking.after > MAX_TRACKED)
    throw invalidArgument(`a tracking records at most ${MAX_TRACKED} notifications`)
}

/** The notification ids a tracking records, in order. */
export const trackedIds = ({ notificationId, after = notificationId - 1 }: Tracking): readonly number[] =>
  Array.from({ length: notificationId - after }, (_, i) => after + 1 + i)
