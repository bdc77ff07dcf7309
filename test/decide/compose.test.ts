// compose (deciders over named parts) and composeCodecs / manyCodec (their stored events):
// routing, the laws of compose with fast-check, terminal states, stored names, round trips, errors.

import {
  composeCodecs,
  isEventfoldError,
  isJsonObject,
  jsonCodec,
  manyCodec,
  withUpcasters,
} from 'eventfold/codec'
import { compose, type Decider, many, step } from 'eventfold/decide'
import { checkCodecRoundTrip, checkNoMutation, given } from 'eventfold/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type CartEvent,
  cart,
  cartEvents,
  type ParcelEvent,
  type PaymentEvent,
  parcel,
  parcelEvents,
  payment,
  paymentEvents,
  type ShopCommand,
  type ShopEvent,
  shop,
  shopEvents,
} from './shop.js'

const ids = fc.constantFrom('p1', 'p2')
const commands: fc.Arbitrary<ShopCommand> = fc.oneof(
  fc
    .constantFrom('tea', 'cake')
    .map((sku): ShopCommand => ({ part: 'cart', command: { type: 'AddItem', sku } })),
  fc.constant<ShopCommand>({ part: 'cart', command: { type: 'CheckOut' } }),
  fc
    .integer({ min: -1, max: 9 })
    .map((amount): ShopCommand => ({ part: 'payment', command: { type: 'Pay', amount } })),
  fc.constant<ShopCommand>({ part: 'payment', command: { type: 'Refund' } }),
  fc
    .tuple(ids, fc.constantFrom('Oslo', 'Lima'))
    .map(([id, to]): ShopCommand => ({ part: 'parcels', command: { id, value: { type: 'Send', to } } })),
  ids.map((id): ShopCommand => ({ part: 'parcels', command: { id, value: { type: 'Deliver' } } })),
)

/** Replays commands through the shop, keeping each accepted command's events. */
const replay = (history: readonly ShopCommand[]) => {
  let state = shop.initialState
  const events: ShopEvent[] = []
  for (const command of history) {
    const result = step(shop, state, command)
    if (result._tag === 'Right') {
      state = result.right.state
      events.push(...result.right.events)
    }
  }
  return { state, events }
}

describe('compose', () => {
  it('decides a command with its own part, against that part’s state, and labels the events', () => {
    given(shop, [{ part: 'cart', event: { type: 'ItemAdded', sku: 'tea' } }])
      .when({ part: 'cart', command: { type: 'CheckOut' } })
      .thenEvents([{ part: 'cart', event: { type: 'CheckedOut' } }])
    given(shop, [])
      .when({ part: 'parcels', command: { id: 'p1', value: { type: 'Send', to: 'Oslo' } } })
      .thenEvents([{ part: 'parcels', event: { id: 'p1', value: { type: 'Sent', to: 'Oslo' } } }])
  })

  it('passes a part’s rejection through', () => {
    given(shop, [])
      .when({ part: 'cart', command: { type: 'CheckOut' } })
      .thenRejects('EmptyCart')
    given(shop, [{ part: 'payment', event: { type: 'Paid', amount: 3 } }])
      .when({ part: 'payment', command: { type: 'Pay', amount: 0 } })
      .thenRejects('NotAnAmount')
  })

  it('starts from each part’s initial state', () => {
    expect(shop.initialState).toEqual({
      cart: cart.initialState,
      payment: payment.initialState,
      parcels: new Map(),
    })
  })

  it('law: a command changes only its own part’s state (the others stay the very same values)', () => {
    fc.assert(
      fc.property(fc.array(commands, { maxLength: 20 }), commands, (history, command) => {
        const { state } = replay(history)
        const result = step(shop, state, command)
        if (result._tag === 'Left') return
        for (const name of ['cart', 'payment', 'parcels'] as const) {
          if (name !== command.part) expect(result.right.state[name]).toBe(state[name])
        }
      }),
    )
  })

  it('law: each part’s state is the part’s own fold of its own events', () => {
    fc.assert(
      fc.property(fc.array(commands, { maxLength: 30 }), (history) => {
        const { state, events } = replay(history)
        const own = <E, S>(decider: Decider<never, S, E, unknown>, mine: readonly E[]): S =>
          mine.reduce((s, e) => decider.evolve(s, e), decider.initialState)
        const cartEventsOnly: CartEvent[] = []
        const paymentEventsOnly: PaymentEvent[] = []
        for (const e of events) {
          if (e.part === 'cart') cartEventsOnly.push(e.event)
          if (e.part === 'payment') paymentEventsOnly.push(e.event)
        }
        expect(state.cart).toEqual(own(cart, cartEventsOnly))
        expect(state.payment).toEqual(own(payment, paymentEventsOnly))
        const parcels = many(parcel)
        const parcelEventsOnly = events.flatMap((e) => (e.part === 'parcels' ? [e.event] : []))
        expect(state.parcels).toEqual(own(parcels, parcelEventsOnly))
      }),
    )
  })

  it('law: decide mutates neither the state nor the command', () => {
    checkNoMutation(shop, commands)
  })

  it('is terminal when every part is, and only then', () => {
    const { state } = replay([
      { part: 'cart', command: { type: 'AddItem', sku: 'tea' } },
      { part: 'cart', command: { type: 'CheckOut' } },
      { part: 'payment', command: { type: 'Pay', amount: 5 } },
      { part: 'parcels', command: { id: 'p1', value: { type: 'Send', to: 'Oslo' } } },
      { part: 'parcels', command: { id: 'p1', value: { type: 'Deliver' } } },
    ])
    expect(cart.isTerminal?.(state.cart)).toBe(true)
    expect(shop.isTerminal?.(state)).toBe(false)
    const refunded = step(shop, state, { part: 'payment', command: { type: 'Refund' } })
    if (refunded._tag === 'Left') throw new Error('refund rejected')
    expect(shop.isTerminal?.(refunded.right.state)).toBe(true)
  })

  it('throws a TypeError for a command or event of a part it does not have (from untyped callers)', () => {
    const untyped: Decider<{ part: string; command: unknown }, unknown, { part: string; event: unknown }> =
      compose({ cart }) as never
    expect(() => untyped.decide({ part: 'toString', command: {} }, shop.initialState)).toThrow(
      new TypeError('compose: no part named "toString"'),
    )
    expect(() => untyped.evolve(shop.initialState, { part: 'payment', event: {} })).toThrow(TypeError)
  })

  it('has no isTerminal when a part has none (that part never ends)', () => {
    const open: Decider<'noop', null, never> = { initialState: null, decide: () => [], evolve: (s) => s }
    expect(compose({ cart, open }).isTerminal).toBeUndefined()
    expect(compose({ cart, payment }).isTerminal).toBeTypeOf('function')
  })
})

describe('composeCodecs and manyCodec', () => {
  const all: readonly ShopEvent[] = [
    { part: 'cart', event: { type: 'ItemAdded', sku: 'tea' } },
    { part: 'payment', event: { type: 'Paid', amount: 4.5 } },
    { part: 'payment', event: { type: 'Refunded' } },
    { part: 'parcels', event: { id: 'p1', value: { type: 'Sent', to: 'Oslo' } } },
  ]

  it('stores each event as part.type with the part’s own data; many members keep their id beside it', () => {
    expect(all.map((e) => shopEvents.encode(e))).toEqual([
      { type: 'cart.ItemAdded', schemaVersion: 1, data: { sku: 'tea' } },
      { type: 'payment.Paid', schemaVersion: 1, data: { amount: 4.5 } },
      { type: 'payment.Refunded', schemaVersion: 1, data: {} },
      { type: 'parcels.Sent', schemaVersion: 1, data: { id: 'p1', data: { to: 'Oslo' } } },
    ])
    expect(shopEvents.types).toEqual([
      'cart.ItemAdded',
      'cart.CheckedOut',
      'payment.Paid',
      'payment.Refunded',
      'parcels.Sent',
      'parcels.Delivered',
    ])
  })

  it('law: decode(encode(e)) = right(e) for every event the shop decides', () => {
    for (const e of all) expect(shopEvents.decode(shopEvents.encode(e))).toEqual({ _tag: 'Right', right: e })
    checkCodecRoundTrip(shop, shopEvents, commands)
  })

  it('decodes a type of no part, or unknown to its part, as UnknownEventType naming the stored type', () => {
    for (const type of ['shipping.Sent', 'cart.Paid', 'ItemAdded', 'cart.', '.ItemAdded']) {
      const decoded = shopEvents.decode({ type, schemaVersion: 1, data: {} })
      expect(decoded).toMatchObject({ _tag: 'Left', left: { code: 'UnknownEventType', type } })
    }
  })

  it('reports a part’s decode failure under the stored type, with the path to what was wrong', () => {
    expect(
      shopEvents.decode({ type: 'payment.Paid', schemaVersion: 1, data: { amount: 'x' } }),
    ).toMatchObject({
      _tag: 'Left',
      left: { code: 'DecodeError', type: 'payment.Paid', path: ['amount'] },
    })
    const decoded = shopEvents.decode({ type: 'payment.Paid', schemaVersion: 1, data: { amount: 'x' } })
    expect(decoded._tag === 'Left' && decoded.left.message).toMatch(/^payment\.Paid at amount/)
    expect(
      shopEvents.decode({ type: 'parcels.Sent', schemaVersion: 1, data: { id: 'p1', data: 7 } }),
    ).toMatchObject({
      _tag: 'Left',
      left: { code: 'DecodeError', type: 'parcels.Sent', path: ['data'] },
    })
    expect(shopEvents.decode({ type: 'parcels.Sent', schemaVersion: 1, data: { to: 'Oslo' } })).toMatchObject(
      {
        _tag: 'Left',
        left: { code: 'DecodeError', type: 'parcels.Sent', path: ['id'] },
      },
    )
  })

  it('throws a part’s EncodeError under the stored type', () => {
    const bad: ShopEvent = { part: 'payment', event: { type: 'Paid', amount: Number.NaN } }
    let thrown: unknown
    try {
      shopEvents.encode(bad)
    } catch (error) {
      thrown = error
    }
    expect(isEventfoldError(thrown, 'EncodeError')).toBe(true)
    expect(isEventfoldError(thrown) && thrown.context.type).toBe('payment.Paid')
    expect(isEventfoldError(thrown) && thrown.message).toMatch(/^EncodeError: payment\.Paid/)
  })

  it('keeps each part’s schema versions and upcasters', () => {
    const upcast = withUpcasters(parcelEvents, {
      Sent: [(data) => (isJsonObject(data) ? { to: data.city ?? null } : data)],
    })
    const codec = composeCodecs({ cart: cartEvents, parcels: manyCodec(upcast) })
    const sent = {
      part: 'parcels' as const,
      event: { id: 'p1', value: { type: 'Sent' as const, to: 'Lima' } },
    }
    expect(codec.encode(sent)).toMatchObject({ type: 'parcels.Sent', schemaVersion: 2 })
    const old = { type: 'parcels.Sent', schemaVersion: 1, data: { id: 'p1', data: { city: 'Lima' } } }
    expect(codec.decode(old)).toEqual({ _tag: 'Right', right: sent })
  })

  it('refuses a part name with a dot, which the stored type could not tell apart', () => {
    const events = jsonCodec<ParcelEvent>({ Sent: true, Delivered: true })
    expect(() => composeCodecs({ 'a.b': events })).toThrow(/InvalidConfiguration: part name "a.b"/)
  })

  it('reads the events of a many part without a part, too', () => {
    const parcels = manyCodec(parcelEvents)
    const e = { id: 'p2', value: { type: 'Delivered' as const } }
    expect(parcels.decode(parcels.encode(e))).toEqual({ _tag: 'Right', right: e })
    expect(parcels.types).toEqual(['Sent', 'Delivered'])
    expect(paymentEvents.types).toEqual(['Paid', 'Refunded'])
  })
})
