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

// An id is written as ASCII into one buffer and read out as one string: the hex of the current
// millisecond is written once per millisecond, the random digits from a pool of random bytes.
const HEX = Buffer.from('0123456789abcdef', 'latin1')
const text = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1')
const random = Buffer.alloc(4096)
let drawn = random.length
let millisecond = -1
/** Where the 18 random hex digits go; the variant digit (two random bits) is written apart. */
const DIGITS = [15, 16, 17, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35]

/** A new UUID v7, in canonical lower-case form: 48 bits of milliseconds, then 74 random bits. */
export const newEventId = (): string => {
  const now = Date.now()
  if (now !== millisecond) {
    millisecond = now
    const time = now.toString(16).padStart(12, '0')
    text.write(time.slice(0, 8), 0, 'latin1')
    text.write(time.slice(8), 9, 'latin1')
  }
  if (drawn + 10 > random.length) {
    randomFillSync(random)
    drawn = 0
  }
  for (let i = 0; i < DIGITS.length; i += 2) {
    const byte = random[drawn++] as number
    text[DIGITS[i] as number] = HEX[byte >> 4] as number
    text[DIGITS[i + 1] as number] = HEX[byte & 15] as number
  }
  text[19] = HEX[8 | ((random[drawn++] as number) & 3)] as number
  return text.toString('latin1', 0, 36)
}

/** The batch with an id on every event: the one it has (checked), or a new one. */
export const withEventIds = (events: readonly StoredEvent[]): readonly StoredEvent[] =>
  events.map((event) => {
    if (event.eventId !== undefined) {
      checkEventId(event.eventId, event.streamId, event.version)
      return event
    }
    // Built as a literal: a spread and then one more key costs V8 a new map for every event.
    const { streamId, version, type, schemaVersion, data, metadata } = event
    const eventId = newEventId()
    return metadata === undefined
      ? { streamId, version, type, schemaVersion, data, eventId }
      : { streamId, version, type, schemaVersion, data, eventId, metadata }
  })
