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

const POOL = 10 * 1024
const pool = Buffer.alloc(POOL)
let offset = POOL
const VARIANT = ['8', '9', 'a', 'b']

/** A new UUID v7, in canonical lower-case form: 48 bits of milliseconds, then 74 random bits. */
export const newEventId = (): string => {
  if (offset + 10 > POOL) {
    randomFillSync(pool)
    offset = 0
  }
  const random = pool.toString('hex', offset, offset + 10)
  offset += 10
  const time = Date.now().toString(16).padStart(12, '0')
  const variant = VARIANT[Number.parseInt(random[3] as string, 16) & 3] as string
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(0, 3)}-${variant}${random.slice(4, 7)}-${random.slice(7, 19)}`
}

/** The batch with an id on every event: the one it has (checked), or a new one. */
export const withEventIds = (events: readonly StoredEvent[]): readonly StoredEvent[] =>
  events.map((event) => {
    if (event.eventId === undefined) return { ...event, eventId: newEventId() }
    checkEventId(event.eventId, event.streamId, event.version)
    return event
  })
