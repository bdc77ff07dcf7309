// How `tail` and `stream` show notifications: decoded by the application's aggregates when a module
// gives them, raw otherwise (the stored JSON, decompressed and decrypted where the environment's
// keys allow, neither upcast nor validated) — as a line of text or a JSON object per notification.

import { type AnyAggregate, application, createSubjectKeys } from '../application/index.js'
import { isEventfoldError, type JsonValue } from '../codec/index.js'
import type { EventMetadata, Notification } from '../store/index.js'
import type { Store } from './store.js'

/** One notification as shown: its place and ids, and its data, decoded event, erasure or error. */
export interface Shown {
  readonly id: number
  readonly streamId: string
  readonly version: number
  readonly type: string
  readonly schemaVersion: number
  readonly eventId?: string
  readonly recordedAt?: string
  readonly metadata?: EventMetadata
  /** Raw: the stored JSON. */
  readonly data?: unknown
  /** Decoded: the aggregate and its event. */
  readonly aggregate?: string
  readonly event?: unknown
  /** The data subject's key was erased: the data cannot be read again. */
  readonly erased?: true
  /** Why the data could not be read or decoded, as `CODE: message`. */
  readonly error?: string
}

/** Turns pages of notifications into what is shown. */
export type Viewer = (notifications: readonly Notification[]) => Promise<readonly Shown[]>

const placeOf = (n: Notification): Shown => ({
  id: n.id,
  streamId: n.streamId,
  version: n.version,
  type: n.type,
  schemaVersion: n.schemaVersion,
  ...(n.eventId === undefined ? {} : { eventId: n.eventId }),
  ...(n.recordedAt === undefined ? {} : { recordedAt: n.recordedAt.toISOString() }),
  ...(n.metadata === undefined ? {} : { metadata: n.metadata }),
})

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** The raw viewer: the stored data, opened with the environment's keys where it can be. */
export const rawViewer = (store: Store): Viewer => {
  const subjects = createSubjectKeys(store.recorder, store.mapper)
  return async (notifications) => {
    // Without the master key the subjects' keys cannot be unwrapped: their records show why.
    let keysError: unknown
    const keys = await subjects.keysFor(notifications).catch((error: unknown) => {
      keysError = error
      return undefined
    })
    return notifications.map((n) => {
      try {
        return { ...placeOf(n), data: store.mapper.toEncoded(n, keys ? { keys } : {}).data }
      } catch (error) {
        if (isEventfoldError(error, 'EventErased')) return { ...placeOf(n), erased: true }
        const why = keysError !== undefined && store.mapper.subjectOf(n) !== undefined ? keysError : error
        return { ...placeOf(n), error: messageOf(why) }
      }
    })
  }
}

/** The decoding viewer: each notification decoded by its aggregate, a failure shown at its entry. */
export const decodingViewer = (store: Store, aggregates: readonly AnyAggregate[]): Viewer => {
  const { app, recorder, mapper } = store
  const decoder = application({ name: app, aggregates, recorder, mapper, cacheSize: 0 })
  const one = async (n: Notification): Promise<Shown> => {
    try {
      const [entry] = await decoder.decode([n])
      if (!entry || entry._tag === 'Erased')
        return { ...placeOf(n), aggregate: entry?.aggregate ?? '', erased: true }
      return { ...placeOf(n), aggregate: entry.aggregate, event: entry.event }
    } catch (error) {
      return { ...placeOf(n), error: messageOf(error) }
    }
  }
  return async (notifications) => {
    try {
      const entries = await decoder.decode(notifications)
      return entries.map((entry, i) => {
        const n = notifications[i] as Notification
        return entry._tag === 'Erased'
          ? { ...placeOf(n), aggregate: entry.aggregate, erased: true }
          : { ...placeOf(n), aggregate: entry.aggregate, event: entry.event }
      })
    } catch {
      // One of them fails: decode each alone, so that the others are shown and the failure is named.
      return Promise.all(notifications.map(one))
    }
  }
}

/** What to say of a stream that has no events: that it is not there, and how stream ids are made. */
export const noStream = (app: string, streamId: string): string =>
  `application "${app}" has no stream "${streamId}" (stream ids are <aggregate>-<id>: dog-42, say)`

/** JSON text of a value that may hold what JSON lacks (bigint, Map, Set, bytes). */
export const toJson = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString()
    if (v instanceof Map) return Object.fromEntries(v)
    if (v instanceof Set) return [...v]
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64')
    return v
  })

/** The body of a shown event as text: its data or event (without the type, shown before it). */
const bodyOf = (shown: Shown): string => {
  if (shown.error !== undefined) return `! ${shown.error}`
  if (shown.erased) return '(erased)'
  if (shown.event === undefined) return toJson(shown.data)
  const event = shown.event
  if (typeof event === 'object' && event !== null && 'type' in event) {
    const { type: _, ...rest } = event as Record<string, JsonValue>
    return toJson(rest)
  }
  return toJson(event)
}

/** One line per notification, for `tail`. */
export const lineOf = (shown: Shown): string =>
  [
    `#${shown.id}`,
    shown.recordedAt ?? '-',
    `${shown.streamId}@${shown.version}`,
    shown.type,
    bodyOf(shown),
    ...(shown.metadata ? [`metadata=${toJson(shown.metadata)}`] : []),
  ].join(' ')

/** A block per event, for `stream`: version, notification id, time, event id, metadata, data. */
export const blockOf = (shown: Shown): string =>
  [
    `v${shown.version}  #${shown.id}  ${shown.recordedAt ?? '-'}  ${shown.type}` +
      (shown.schemaVersion === 1 ? '' : ` (schema v${shown.schemaVersion})`),
    ...(shown.eventId ? [`  event id  ${shown.eventId}`] : []),
    ...(shown.metadata ? [`  metadata  ${toJson(shown.metadata)}`] : []),
    `  ${shown.event === undefined && shown.error === undefined && !shown.erased ? 'data' : 'event'}     ${bodyOf(shown)}`,
  ].join('\n')
