import {
  adapt,
  combine,
  type Decider,
  many,
  mapState,
  reject,
  step,
  toEither,
  toLeft,
  toRight,
} from 'eventfold/decide'
import { left, right } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { given } from '../../src/testing/index.js'

type CounterCommand = { readonly type: 'Add'; readonly n: number }
type CounterEvent = { readonly type: 'Added'; readonly n: number }
const counter: Decider<CounterCommand, number, CounterEvent, 'Negative'> = {
  initialState: 0,
  decide: (c) => (c.n < 0 ? reject('Negative') : c.n === 0 ? [] : [{ type: 'Added', n: c.n }]),
  evolve: (s, e) => s + e.n,
}
type SwitchCommand = { readonly type: 'Toggle' }
type SwitchEvent = { readonly type: 'Toggled' }
const lamp: Decider<SwitchCommand, boolean, SwitchEvent> = {
  initialState: false,
  decide: () => [{ type: 'Toggled' }],
  evolve: (s) => !s,
  isTerminal: (s) => s,
}

describe('decisions', () => {
  it('normalises a plain list and an Either to one Either', () => {
    expect(toEither([1])).toEqual(right([1]))
    expect(toEither(left('no'))).toEqual(left('no'))
  })

  it('step decides and folds', () => {
    expect(step(counter, 1, { type: 'Add', n: 2 })).toEqual(
      right({ events: [{ type: 'Added', n: 2 }], state: 3 }),
    )
    expect(step(counter, 1, { type: 'Add', n: -1 })).toEqual(left('Negative'))
  })
})

describe('combine', () => {
  const both = combine(counter, lamp)

  it('routes a tagged command to its own part and leaves the other untouched', () => {
    given(both, [toLeft({ type: 'Added', n: 2 })])
      .when(toRight({ type: 'Toggle' }))
      .thenEvents([toRight({ type: 'Toggled' })])
    const s = both.evolve(both.initialState, toRight({ type: 'Toggled' }))
    expect(s).toEqual({ left: 0, right: true })
  })

  it('passes a part rejection through', () => {
    given(both, [])
      .when(toLeft({ type: 'Add', n: -1 }))
      .thenRejects('Negative')
  })

  it('is terminal only when both parts are', () => {
    expect(both.isTerminal?.({ left: 1, right: true })).toBe(false)
    expect(combine(lamp, lamp).isTerminal?.({ left: true, right: true })).toBe(true)
  })
})

describe('many', () => {
  const counters = many(counter)

  it('keeps one state per id, starting each from the initial state', () => {
    const s = counters.evolve(
      counters.evolve(counters.initialState, { id: 'a', value: { type: 'Added', n: 2 } }),
      {
        id: 'b',
        value: { type: 'Added', n: 5 },
      },
    )
    expect([...s]).toEqual([
      ['a', 2],
      ['b', 5],
    ])
    given(counters, [{ id: 'a', value: { type: 'Added', n: 1 } }])
      .when({ id: 'a', value: { type: 'Add', n: 3 } })
      .thenEvents([{ id: 'a', value: { type: 'Added', n: 3 } }])
  })

  it('does not change the state it was given', () => {
    const before = counters.initialState
    counters.evolve(before, { id: 'a', value: { type: 'Added', n: 1 } })
    expect(before.size).toBe(0)
  })
})

describe('adapt', () => {
  it('maps commands in, events both ways and state both ways', () => {
    const adapted = adapt(counter, {
      command: (c: { readonly add: number }): CounterCommand => ({ type: 'Add', n: c.add }),
      event: {
        to: (e: CounterEvent) => ({ kind: 'plus' as const, by: e.n }),
        from: (e: { kind: 'plus'; by: number }) => ({ type: 'Added' as const, n: e.by }),
      },
      state: { to: (n: number) => ({ total: n }), from: (s: { total: number }) => s.total },
    })
    expect(adapted.initialState).toEqual({ total: 0 })
    given(adapted, [{ kind: 'plus', by: 2 }])
      .when({ add: 3 })
      .thenEvents([{ kind: 'plus', by: 3 }])
    expect(adapted.evolve({ total: 1 }, { kind: 'plus', by: 4 })).toEqual({ total: 5 })
  })

  it('mapState carries isTerminal through the conversion', () => {
    const wrapped = mapState(lamp, { to: (on: boolean) => ({ on }), from: (s: { on: boolean }) => s.on })
    expect(wrapped.isTerminal?.({ on: true })).toBe(true)
  })
})
