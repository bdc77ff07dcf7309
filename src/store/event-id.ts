// Event ids: UUID version 7 (RFC 9562) — the time in milliseconds, then random bits — generated at
// append, so that ids sort roughly by time and an append can be recognised after a lost reply.

import { randomFillSync } from 'node:crypto'
import { invalidArgument } from './errors.js'
import type { StoredEvent } from './records.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Returns the event id if it is a UUID in canonical lower-case form; throws InvalidArgument otherwise. */
export const checkEventId = (eventId: unknown, streamId: string, version: number): string => {
  if (typeof eventId !== 'string' || !UUID.test(eventId))
    throw invalidArgument('eventId must be a lower-case UUID', { streamId, version, eventId })
  return eventId
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const POOL = 16 * 512
const pool = new Uint8Array(POOL)
let offset = POOL

/** A new UUID v7, in canonical lower-case form. */
export const newEventId = (): string => {
  if (offset + 10 > POOL) {
    randomFillSync(pool)
    offset = 0
  }
  const ms = Date.now()
  const high = Math.floor(ms / 2 ** 16)
  const r = pool
  const o = offset
  offset += 10
  const h = (n: number) => HEX[n & 0xff] as string
  return (
    h(high >>> 24) +
    h(high >>> 16) +
    h(high >>> 8) +
    h(high) +
    '-' +
    h(ms >>> 8) +
    h(ms) +
    '-' +
    h(0x70 | ((r[o] as number) & 0x0f)) +
    h(r[o + 1] as number) +
    '-' +
    h(0x80 | ((r[o + 2] as number) & 0x3f)) +
    h(r[o + 3] as number) +
    '-' +
    h(r[o + 4] as number) +
    h(r[o + 5] as number) +
    h(r[o + 6] as number) +
    h(r[o + 7] as number) +
    h(r[o + 8] as number) +
    h(r[o + 9] as number)
  )
}

/** The batch with an id on every event: the one it has (checked), or a new one. */
export const withEventIds = (events: readonly StoredEvent[]): readonly StoredEvent[] =>
  events.map((event) => {
    if (event.eventId === undefined) return { ...event, eventId: newEventId() }
    checkEventId(event.eventId, event.streamId, event.version)
    return event
  })
