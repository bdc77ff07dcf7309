import { type Codec, type Encoded, jsonCodec, withUpcasters } from 'eventfold/codec'
import { fromIoTs } from 'eventfold/codec/io-ts'
import { fromZod } from 'eventfold/codec/zod'
import { right } from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'

/** Encodes and sends the result through JSON text, as a recorder would. */
const stored = <E>(codec: Codec<E>, event: E): Encoded => JSON.parse(JSON.stringify(codec.encode(event)))

const isoDate = z.codec(z.iso.datetime(), z.date(), {
  decode: (iso) => new Date(iso),
  encode: (date) => date.toISOString(),
})

describe('fromZod', () => {
  const codec = fromZod({
    Booked: z.object({ room: z.number().int(), at: isoDate, guests: z.array(z.string()).min(1) }),
    Cancelled: z.object({ reason: z.string().optional() }),
  })

  it('stores a Date as an ISO string through a zod codec, and reads it back as a Date', () => {
    const event = { type: 'Booked' as const, room: 12, at: new Date('2026-11-28T10:00:00Z'), guests: ['Ada'] }
    const encoded = stored(codec, event)
    expect(encoded).toEqual({
      type: 'Booked',
      schemaVersion: 1,
      data: { room: 12, at: '2026-11-28T10:00:00.000Z', guests: ['Ada'] },
    })
    expect(codec.decode(encoded)).toEqual(right(event))
    expect(codec.types).toEqual(['Booked', 'Cancelled'])
  })

  it('stores a plain z.date() faithfully too, through the transcoder', () => {
    const plain = fromZod({ Seen: z.object({ at: z.date(), n: z.bigint() }) })
    const event = { type: 'Seen' as const, at: new Date(0), n: 10n ** 20n }
    expect(plain.decode(stored(plain, event))).toEqual(right(event))
  })

  it('gives a DecodeError with the path of what was wrong', () => {
    const decoded = codec.decode({
      type: 'Booked',
      schemaVersion: 1,
      data: { room: 12, at: '2026-11-28T10:00:00Z', guests: [7] },
    })
    expect(decoded).toMatchObject({
      _tag: 'Left',
      left: { code: 'DecodeError', type: 'Booked', path: ['guests', 0] },
    })
  })

  it('gives UnknownEventType for a type it does not know, never a silent skip', () => {
    expect(codec.decode({ type: 'Renamed', schemaVersion: 1, data: {} })).toMatchObject({
      _tag: 'Left',
      left: { code: 'UnknownEventType', type: 'Renamed' },
    })
  })

  it('refuses to encode an invalid event, naming the path', () => {
    const bad = { type: 'Booked' as const, room: 1.5, at: new Date(), guests: ['x'] }
    expect(() => codec.encode(bad)).toThrow(/EncodeError: Booked at room/)
  })
})

describe('fromIoTs', () => {
  const DateFromIso = new t.Type<Date, string, unknown>(
    'DateFromIso',
    (u): u is Date => u instanceof Date,
    (u, c) =>
      typeof u === 'string' && !Number.isNaN(Date.parse(u)) ? t.success(new Date(u)) : t.failure(u, c),
    (d) => d.toISOString(),
  )
  const codec = fromIoTs({
    Opened: t.type({ owner: t.string, at: DateFromIso }),
    Deposited: t.type({ amount: t.number }),
  })

  it('encodes with the types’ own encode and decodes with validation', () => {
    const event = { type: 'Opened' as const, owner: 'Ada', at: new Date('2026-01-01T00:00:00Z') }
    const encoded = stored(codec, event)
    expect(encoded.data).toEqual({ owner: 'Ada', at: '2026-01-01T00:00:00.000Z' })
    expect(codec.decode(encoded)).toEqual(right(event))
  })

  it('gives a DecodeError with the path', () => {
    expect(codec.decode({ type: 'Deposited', schemaVersion: 1, data: { amount: 'ten' } })).toMatchObject({
      _tag: 'Left',
      left: { code: 'DecodeError', path: ['amount'] },
    })
  })
})

describe('jsonCodec', () => {
  type Event = { type: 'Tagged'; tags: Set<string>; at: Date } | { type: 'Cleared' }
  const codec = jsonCodec<Event>({ Tagged: true, Cleared: true })

  it('round-trips non-JSON values without a schema', () => {
    const event: Event = { type: 'Tagged', tags: new Set(['a']), at: new Date(5) }
    expect(codec.decode(stored(codec, event))).toEqual(right(event))
  })

  it('refuses unknown types both ways', () => {
    expect(() => codec.encode({ type: 'Other' } as unknown as Event)).toThrow(/unknown event type "Other"/)
    expect(codec.decode({ type: 'Other', schemaVersion: 1, data: {} })).toMatchObject({
      left: { code: 'UnknownEventType' },
    })
  })
})

describe('withUpcasters', () => {
  // v1: { name }  →  v2: { first, last }  →  v3: { first, last, nickname }
  const current = fromZod({
    Named: z.object({ first: z.string(), last: z.string(), nickname: z.string().nullable() }),
  })
  const codec = withUpcasters(current, {
    Named: [
      (data) => {
        const [first = '', last = ''] = String((data as { name: string }).name).split(' ')
        return { first, last }
      },
      (data) => ({ ...(data as object), nickname: null }),
    ],
  })

  it('writes the current schema version and upcasts older data, each upcaster once, in order', () => {
    expect(
      codec.encode({ type: 'Named', first: 'Ada', last: 'Lovelace', nickname: null }).schemaVersion,
    ).toBe(3)
    expect(codec.decode({ type: 'Named', schemaVersion: 1, data: { name: 'Ada Lovelace' } })).toEqual(
      right({ type: 'Named', first: 'Ada', last: 'Lovelace', nickname: null }),
    )
    expect(codec.decode({ type: 'Named', schemaVersion: 2, data: { first: 'A', last: 'B' } })).toEqual(
      right({ type: 'Named', first: 'A', last: 'B', nickname: null }),
    )
  })

  it('refuses data from a newer schema than the code knows', () => {
    expect(codec.decode({ type: 'Named', schemaVersion: 4, data: {} })).toMatchObject({
      left: { code: 'UnsupportedSchemaVersion', type: 'Named' },
    })
  })

  it('reports an upcaster that throws as UpcastError', () => {
    const broken = withUpcasters(current, {
      Named: [
        () => {
          throw new Error('boom')
        },
      ],
    })
    expect(broken.decode({ type: 'Named', schemaVersion: 1, data: {} })).toMatchObject({
      left: { code: 'UpcastError', message: expect.stringMatching(/v1 to v2 failed: boom/) },
    })
  })
})
