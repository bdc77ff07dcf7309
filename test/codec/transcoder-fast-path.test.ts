// Values the transcoder's plain-JSON fast path must not pass to JSON.stringify as they are.

import { createTranscoder } from 'eventfold/codec'
import { describe, expect, it } from 'vitest'

// Law: decode(JSON.parse(JSON.stringify(encode(v)))) deep-equals v for every v encode accepts.
const roundTrip = (value: unknown) => {
  const t = createTranscoder()
  return t.decode(JSON.parse(JSON.stringify(t.encode(value))))
}

describe('the plain-JSON fast path of the transcoder', () => {
  it('an array with an own toJSON (ignored before: the array was copied) reads back as it was', () => {
    const tags = Object.assign(['a', 'b'], { toJSON: () => 'replaced' })
    expect(roundTrip({ tags })).toEqual({ tags: ['a', 'b'] })
  })
  it('a plain object with a non-enumerable toJSON reads back as it was', () => {
    const money = Object.defineProperty({ amount: 5, currency: 'EUR' }, 'toJSON', { value: () => '5 EUR' })
    expect(roundTrip({ money })).toEqual({ money: { amount: 5, currency: 'EUR' } })
  })
})
