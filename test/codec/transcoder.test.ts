import { isDeepStrictEqual } from 'node:util'
import { createTranscoder, customType, defaultTranscoder, isEventfoldError } from 'eventfold/codec'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

const sparse = (): number[] => {
  const xs = [1, 2, 3]
  delete xs[1]
  return xs
}

const roundTrip = (value: unknown, transcoder = defaultTranscoder): unknown =>
  transcoder.decode(JSON.parse(JSON.stringify(transcoder.encode(value))))

/** The value with each Invalid Date replaced by a marker, all else copied as it is, prototypes included. */
const markInvalidDates = (v: unknown): unknown => {
  if (v instanceof Date)
    return Number.isNaN(v.getTime()) ? Object.assign(Object.create(null), { invalidDate: true }) : v
  if (Array.isArray(v)) return v.map(markInvalidDates)
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [markInvalidDates(k), markInvalidDates(x)]))
  if (v instanceof Set) return new Set([...v].map(markInvalidDates))
  if (typeof v !== 'object' || v === null || v instanceof Uint8Array) return v
  const out = Object.create(Object.getPrototypeOf(v))
  for (const [key, x] of Object.entries(v))
    Object.defineProperty(out, key, {
      value: markInvalidDates(x),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  return out
}

/**
 * Node's deep-strict equality (it compares prototypes; vitest's would trip on an own "constructor"
 * key), except that two Invalid Dates are equal: node 20 compares their NaN times with ===.
 */
const same = (a: unknown, b: unknown): boolean => isDeepStrictEqual(markInvalidDates(a), markInvalidDates(b))

const leaf = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.double(),
  fc.bigInt(),
  fc.date(),
  fc.uint8Array({ maxLength: 20 }),
  fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, new Date(Number.NaN)),
)
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('map'), tie('set')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(
    fc.oneof(fc.string(), fc.constantFrom('$type', '$value', '__proto__', 'constructor')),
    tie('value'),
    {
      maxKeys: 4,
    },
  ),
  map: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((entries) => new Map(entries)),
  set: fc.array(tie('value'), { maxLength: 3 }).map((items) => new Set(items)),
}))

describe('the transcoder', () => {
  it('law: every value it accepts reads back deep-equal, types and all', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(same(roundTrip(v), v)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  it('reads an Invalid Date back as one, and the law’s equality tells it from any other value', () => {
    const back = roundTrip({ at: new Date(Number.NaN) }) as { at: unknown }
    expect(back.at).toBeInstanceOf(Date)
    expect(Number.isNaN((back.at as Date).getTime())).toBe(true)
    expect(same(back, { at: new Date(Number.NaN) })).toBe(true)
    expect(same(new Date(Number.NaN), new Date(0))).toBe(false)
    expect(same({ at: new Date(Number.NaN) }, { at: null })).toBe(false)
    expect(same({ at: new Date(Number.NaN) }, { at: { invalidDate: true } })).toBe(false)
    expect(same(new Map([[new Date(Number.NaN), 1]]), new Map([[new Date(Number.NaN), 2]]))).toBe(false)
  })

  it('keeps undefined apart from absent, and -0 apart from 0', () => {
    const back = roundTrip({ a: undefined, z: -0, list: [undefined, 1] }) as Record<string, unknown>
    expect(Object.hasOwn(back, 'a')).toBe(true)
    expect(Object.is(back.z, -0)).toBe(true)
    expect(back.list).toEqual([undefined, 1])
  })

  it('escapes user objects that carry its tag key', () => {
    const tricky = { $type: 'Date', $value: '2020-01-01T00:00:00.000Z' }
    expect(roundTrip(tricky)).toEqual(tricky)
  })

  it('keeps a "__proto__" key as data, never as a prototype', () => {
    const tricky = JSON.parse('{"__proto__": {"polluted": true}}')
    const back = roundTrip(tricky) as Record<string, unknown>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.hasOwn(back, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it.each([
    ['a function', { f: () => 1 }, /function at f cannot be stored/],
    ['a symbol', { s: Symbol('x') }, /symbol at s/],
    ['an unregistered class instance', { at: new (class Money {})() }, /instance of Money at at/],
    ['a Buffer (use Uint8Array)', { b: Buffer.from('x') }, /instance of Buffer/],
    ['a sparse array', { xs: sparse() }, /sparse array at xs\[1\]/],
    ['symbol keys', { [Symbol('k')]: 1 }, /symbol keys/],
  ])('refuses %s with a typed EncodeError naming the path', (_what, input, message) => {
    try {
      defaultTranscoder.encode(input)
      expect.unreachable('encode should have thrown')
    } catch (error) {
      expect(isEventfoldError(error, 'EncodeError')).toBe(true)
      expect(String(error)).toMatch(message)
    }
  })

  it('refuses circular references', () => {
    const loop: Record<string, unknown> = {}
    loop.self = loop
    expect(() => defaultTranscoder.encode(loop)).toThrow(/circular reference at self/)
    const shared = { x: 1 }
    expect(roundTrip({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } })
  })

  it('stores registered custom types, whose data may hold other transcoded values', () => {
    class Money {
      constructor(
        readonly amount: bigint,
        readonly currency: string,
      ) {}
    }
    const transcoder = createTranscoder([
      customType({
        name: 'Money',
        is: (v): v is Money => v instanceof Money,
        encode: (m) => ({ amount: m.amount, currency: m.currency }),
        decode: (d: { amount: bigint; currency: string }) => new Money(d.amount, d.currency),
      }),
    ])
    const back = roundTrip({ price: new Money(1999n, 'EUR') }, transcoder) as { price: Money }
    expect(back.price).toBeInstanceOf(Money)
    expect(back.price).toEqual(new Money(1999n, 'EUR'))
  })

  it('rejects custom type names that clash', () => {
    const t = customType({
      name: 'Date',
      is: (v): v is Date => v instanceof Date,
      encode: String,
      decode: (s: string) => new Date(s),
    })
    expect(() => createTranscoder([t])).toThrow(/reserved/)
  })

  it('reports an unknown tag when decoding', () => {
    expect(() => defaultTranscoder.decode({ x: { $type: 'Nope', $value: 1 } })).toThrow(
      /unknown transcoded type "Nope" at x/,
    )
  })

  it('hands plain JSON back as it is both ways, and still tags or refuses what is not plain deep down', () => {
    const plain = { name: 'Fido', tricks: ['sit', { at: 1.5, done: true, why: null }] }
    expect(defaultTranscoder.encode(plain)).toBe(plain)
    const parsed = JSON.parse(JSON.stringify(plain))
    expect(defaultTranscoder.decode(parsed)).toBe(parsed)
    const deep = { a: [{ b: [{ c: [{ d: -0 }] }] }] }
    expect(JSON.stringify(defaultTranscoder.encode(deep))).toContain('"$type":"number"')
    expect(roundTrip(deep)).toEqual(deep)
    expect(() => defaultTranscoder.encode({ a: [{ b: () => 1 }] })).toThrow(/function at a\.0\.b/)
  })

  it('reads a tag below plain levels back, and nests deeper than its quick check looks', () => {
    const tagged = { a: [{ b: { $type: 'bigint', $value: '7' } }] }
    expect(defaultTranscoder.decode(tagged)).toEqual({ a: [{ b: 7n }] })
    let nested: unknown = { at: new Date(0) }
    for (let i = 0; i < 40; i++) nested = { inner: nested }
    expect(same(roundTrip(nested), nested)).toBe(true)
    let plain: unknown = 'leaf'
    for (let i = 0; i < 40; i++) plain = [plain]
    expect(roundTrip(plain)).toEqual(plain)
  })

  it('applies a custom type that matches plain objects', () => {
    type Cents = { readonly cents: number }
    const transcoder = createTranscoder([
      customType({
        name: 'Cents',
        is: (v): v is Cents => typeof v === 'object' && v !== null && Object.keys(v).join() === 'cents',
        encode: (c) => String(c.cents),
        decode: (s: string) => ({ cents: Number(s) }),
      }),
    ])
    expect(transcoder.encode({ price: { cents: 5 } })).toEqual({ price: { $type: 'Cents', $value: '5' } })
  })
})
