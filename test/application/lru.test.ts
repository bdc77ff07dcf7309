import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createLru } from '../../src/application/lru.js'

/** The model: keys from least to most recently used, each with its value. */
const model = (size: number) => {
  let entries: [string, number][] = []
  const touch = (key: string) => {
    const found = entries.find(([k]) => k === key)
    if (found) entries = [...entries.filter(([k]) => k !== key), found]
    return found?.[1]
  }
  return {
    get: touch,
    set: (key: string, value: number) => {
      if (size === 0) return
      entries = [...entries.filter(([k]) => k !== key), [key, value]]
      if (entries.length > size) entries = entries.slice(1)
    },
    delete: (key: string) => {
      entries = entries.filter(([k]) => k !== key)
    },
    clear: () => {
      entries = []
    },
  }
}

const key = fc.constantFrom('a', 'b', 'c', 'd')
const operation = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('get' as const), key }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.nat() }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), key }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('clear' as const) }), weight: 1 },
)

describe('the LRU map', () => {
  it('answers every sequence of operations as a list kept in order of use does', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 3 }),
        fc.array(operation, { size: 'large', maxLength: 60 }),
        (size, operations) => {
          const lru = createLru<number>(size)
          const expected = model(size)
          for (const o of operations) {
            if (o.op === 'get') expect(lru.get(o.key)).toBe(expected.get(o.key))
            else if (o.op === 'set') {
              lru.set(o.key, o.value)
              expected.set(o.key, o.value)
            } else if (o.op === 'delete') {
              lru.delete(o.key)
              expected.delete(o.key)
            } else {
              lru.clear()
              expected.clear()
            }
          }
          for (const key of ['a', 'b', 'c', 'd']) expect(lru.get(key)).toBe(expected.get(key))
        },
      ),
      { numRuns: 2000 },
    )
  })
})
