import { advance, fold, initial, project, view } from 'eventfold/evolve'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

const sum = (total: number, n: number): number => total + n
const append = (xs: readonly number[], n: number): readonly number[] => [...xs, n]

describe('fold', () => {
  it('folds events in order', () => {
    expect(fold(append, [], [1, 2, 3])).toEqual([1, 2, 3])
    expect(fold(sum, 10, [])).toBe(10)
  })

  it('law: folding a concatenation folds the second part from the first result', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.array(fc.integer()), (a, b) => {
        expect(fold(append, [], [...a, ...b])).toEqual(fold(append, fold(append, [], a), b))
      }),
    )
  })
})

describe('advance', () => {
  it('counts one version per event from any starting point (the snapshot law)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.nat(), (events, cut) => {
        const at = Math.min(cut, events.length)
        const whole = advance(sum, initial(0), events)
        const resumed = advance(sum, advance(sum, initial(0), events.slice(0, at)), events.slice(at))
        expect(resumed).toEqual(whole)
        expect(whole.version).toBe(events.length)
      }),
    )
  })
})

describe('View', () => {
  it('projects events with evolve only', () => {
    const count = view(0, (n: number, _event: string) => n + 1)
    expect(project(count, ['a', 'b'])).toBe(2)
  })
})
