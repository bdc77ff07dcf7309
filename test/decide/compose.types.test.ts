// Type-level tests of compose and composeCodecs, checked by `tsc -p tsconfig.json` (npm run typecheck):
// commands go to a known part with that part's own type, events narrow by part, and a codec of the
// parts must cover every part's events. Each @ts-expect-error fails the typecheck if it compiles.

import { aggregate } from 'eventfold/application'
import { type Codec, composeCodecs, jsonCodec, manyCodec } from 'eventfold/codec'
import { type Addressed, compose, type Decider, type Decision } from 'eventfold/decide'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  type CartEvent,
  type CartState,
  cart,
  cartEvents,
  type ParcelEvent,
  type ParcelState,
  type PaymentEvent,
  type PaymentState,
  parcelEvents,
  paymentEvents,
  type ShopCommand,
  type ShopEvent,
  shop,
  shopEvents,
} from './shop.js'

const state = shop.initialState

describe('compose: commands', () => {
  it('takes a command of a known part, with that part’s own type', () => {
    expectTypeOf(shop.decide).parameter(0).toEqualTypeOf<ShopCommand>()
    expectTypeOf<{ readonly part: 'cart'; readonly command: { type: 'CheckOut' } }>().toExtend<ShopCommand>()
    expectTypeOf(shop.decide).toBeCallableWith(
      { part: 'cart', command: { type: 'AddItem', sku: 'tea' } },
      state,
    )
    expectTypeOf(shop.decide).toBeCallableWith(
      { part: 'parcels', command: { id: 'p1', value: { type: 'Send', to: 'Oslo' } } },
      state,
    )
  })

  it('refuses a command for a part it does not have', () => {
    const shipping = { part: 'shipping', command: { type: 'AddItem', sku: 'tea' } } as const
    // @ts-expect-error there is no part "shipping"
    expectTypeOf(shop.decide).toBeCallableWith(shipping, state)
    expectTypeOf<{
      part: 'shipping'
      command: { type: 'AddItem'; sku: string }
    }>().not.toExtend<ShopCommand>()
  })

  it('refuses a command of another part’s type', () => {
    const itemPaid = { part: 'payment', command: { type: 'AddItem', sku: 'tea' } } as const
    // @ts-expect-error AddItem is the cart's command, not the payment's
    expectTypeOf(shop.decide).toBeCallableWith(itemPaid, state)
    const unaddressed = { part: 'parcels', command: { type: 'Send', to: 'Oslo' } } as const
    // @ts-expect-error parcels take addressed commands
    expectTypeOf(shop.decide).toBeCallableWith(unaddressed, state)
    expectTypeOf<{ part: 'payment'; command: { type: 'CheckOut' } }>().not.toExtend<ShopCommand>()
  })

  it('refuses a part that is not a decider', () => {
    // @ts-expect-error a number is not a decider
    compose({ cart, price: 12 })
  })
})

describe('compose: state, events and rejections', () => {
  it('holds each part’s state under its name', () => {
    expectTypeOf(state).toEqualTypeOf<{
      readonly cart: CartState
      readonly payment: PaymentState
      readonly parcels: ReadonlyMap<string, ParcelState>
    }>()
  })

  it('narrows an event to its part’s own events by `part`', () => {
    const narrow = (event: ShopEvent): string => {
      switch (event.part) {
        case 'cart':
          expectTypeOf(event.event).toEqualTypeOf<CartEvent>()
          return event.event.type
        case 'payment':
          expectTypeOf(event.event).toEqualTypeOf<PaymentEvent>()
          return event.event.type
        case 'parcels':
          expectTypeOf(event.event).toEqualTypeOf<Addressed<ParcelEvent>>()
          return event.event.value.type
        default:
          expectTypeOf(event).toBeNever()
          return event
      }
    }
    expect(narrow({ part: 'payment', event: { type: 'Refunded' } })).toBe('Refunded')
    expectTypeOf<{ part: 'cart'; event: PaymentEvent }>().not.toExtend<ShopEvent>()
  })

  it('rejects with any part’s rejection', () => {
    expectTypeOf(shop.decide).returns.toEqualTypeOf<
      Decision<
        ShopEvent,
        'CartCheckedOut' | 'EmptyCart' | 'NotAnAmount' | 'NothingToRefund' | 'NotSent' | 'AlreadySent'
      >
    >()
  })
})

describe('composeCodecs', () => {
  it('is the codec of the composed decider’s events when each part’s codec covers the part', () => {
    // Extends, both ways, since a Codec is invariant (zod's events are intersections, equal in use).
    expectTypeOf(shopEvents).toExtend<Codec<ShopEvent>>()
    expectTypeOf<Codec<ShopEvent>>().toExtend<typeof shopEvents>()
    aggregate({ name: 'shop', decider: shop, codec: shopEvents })
  })

  it('does not compile with the decider when a part codec misses one of its part’s event types', () => {
    const itemsOnly = jsonCodec<Extract<CartEvent, { type: 'ItemAdded' }>>({ ItemAdded: true })
    const narrow = composeCodecs({
      cart: itemsOnly,
      payment: paymentEvents,
      parcels: manyCodec(parcelEvents),
    })
    // @ts-expect-error the cart's codec cannot store CheckedOut
    aggregate({ name: 'shop', decider: shop, codec: narrow })
  })

  it('does not compile with the decider when a part has no codec or another part’s codec', () => {
    const missing = composeCodecs({ cart: cartEvents, payment: paymentEvents })
    // @ts-expect-error the parcels have no codec
    aggregate({ name: 'shop', decider: shop, codec: missing })
    const swapped = composeCodecs({
      cart: paymentEvents,
      payment: cartEvents,
      parcels: manyCodec(parcelEvents),
    })
    // @ts-expect-error the cart's events are stored with the payment's codec
    aggregate({ name: 'shop', decider: shop, codec: swapped })
  })

  it('types the composed codec’s events from the parts’ codecs alone', () => {
    const counter: Decider<'inc', number, { readonly type: 'Incremented' }> = {
      initialState: 0,
      decide: () => [{ type: 'Incremented' }],
      evolve: (n) => n + 1,
    }
    const counters = compose({ left: counter, right: counter })
    const counterEvents = jsonCodec<{ readonly type: 'Incremented' }>({ Incremented: true })
    expectTypeOf(composeCodecs({ left: counterEvents, right: counterEvents })).toEqualTypeOf<
      Codec<
        | { readonly part: 'left'; readonly event: { readonly type: 'Incremented' } }
        | { readonly part: 'right'; readonly event: { readonly type: 'Incremented' } }
      >
    >()
    aggregate({
      name: 'counters',
      decider: counters,
      codec: composeCodecs({ left: counterEvents, right: counterEvents }),
    })
  })
})
