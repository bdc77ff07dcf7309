import { newEventId } from 'eventfold/store'
import { describe, expect, it } from 'vitest'

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('event ids', () => {
  it('are UUID v7 in canonical lower-case form, the milliseconds of their making first', () => {
    const before = Date.now()
    const ids = Array.from({ length: 5000 }, () => newEventId())
    const after = Date.now()
    for (const id of ids) {
      expect(id).toMatch(V7)
      const ms = Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
      expect(ms).toBeGreaterThanOrEqual(before)
      expect(ms).toBeLessThanOrEqual(after)
    }
  })

  it('are unique, with every random digit and variant in use', () => {
    const ids = Array.from({ length: 20_000 }, () => newEventId())
    expect(new Set(ids).size).toBe(ids.length)
    const random = [15, 16, 17, 20, 21, 22, ...Array.from({ length: 12 }, (_, i) => 24 + i)]
    for (const at of random) expect(new Set(ids.map((id) => id[at])).size).toBe(16)
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']))
  })
})
