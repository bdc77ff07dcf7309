// A shop composed of named parts, for the tests of compose and composeCodecs: a cart, its payment,
// and its parcels (one `many` member per parcel id), each part stored with a different kind of codec.

import { composeCodecs, jsonCodec, manyCodec } from 'eventfold/codec'
import { fromZod } from 'eventfold/codec/zod'
import {
  type ComposedCommand,
  type ComposedEvent,
  compose,
  type Decider,
  many,
  reject,
} from 'eventfold/decide'
import * as z from 'zod'

export type CartCommand = { readonly type: 'AddItem'; readonly sku: string } | { readonly type: 'CheckOut' }
export type CartEvent = { readonly type: 'ItemAdded'; readonly sku: string } | { readonly type: 'CheckedOut' }
export interface CartState {
  readonly items: readonly string[]
  readonly checkedOut: boolean
}

/** A cart: items are added until it is checked out, which ends it. */
export const cart: Decider<CartCommand, CartState, CartEvent, 'CartCheckedOut' | 'EmptyCart'> = {
  initialState: { items: [], checkedOut: false },
  decide: (command, state) => {
    if (state.checkedOut) return reject('CartCheckedOut')
    switch (command.type) {
      case 'AddItem':
        return [{ type: 'ItemAdded', sku: command.sku }]
      case 'CheckOut':
        return state.items.length === 0 ? reject('EmptyCart') : [{ type: 'CheckedOut' }]
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'ItemAdded':
        return { ...state, items: [...state.items, event.sku] }
      case 'CheckedOut':
        return { ...state, checkedOut: true }
    }
  },
  isTerminal: (state) => state.checkedOut,
}

export type PaymentCommand = { readonly type: 'Pay'; readonly amount: number } | { readonly type: 'Refund' }
export type PaymentEvent = { readonly type: 'Paid'; readonly amount: number } | { readonly type: 'Refunded' }
export interface PaymentState {
  readonly paid: number
  readonly refunded: boolean
}

/** A payment: paid in instalments, then refunded once, which ends it. */
export const payment: Decider<PaymentCommand, PaymentState, PaymentEvent, 'NotAnAmount' | 'NothingToRefund'> =
  {
    initialState: { paid: 0, refunded: false },
    decide: (command, state) => {
      switch (command.type) {
        case 'Pay':
          return command.amount > 0 ? [{ type: 'Paid', amount: command.amount }] : reject('NotAnAmount')
        case 'Refund':
          return state.paid > 0 && !state.refunded ? [{ type: 'Refunded' }] : reject('NothingToRefund')
      }
    },
    evolve: (state, event) => {
      switch (event.type) {
        case 'Paid':
          return { ...state, paid: state.paid + event.amount }
        case 'Refunded':
          return { ...state, refunded: true }
      }
    },
    isTerminal: (state) => state.refunded,
  }

export type ParcelCommand = { readonly type: 'Send'; readonly to: string } | { readonly type: 'Deliver' }
export type ParcelEvent = { readonly type: 'Sent'; readonly to: string } | { readonly type: 'Delivered' }
export type ParcelState = { readonly to: string; readonly delivered: boolean } | null

/** A parcel: sent once, then delivered, which ends it. */
export const parcel: Decider<ParcelCommand, ParcelState, ParcelEvent, 'NotSent' | 'AlreadySent'> = {
  initialState: null,
  decide: (command, state) => {
    switch (command.type) {
      case 'Send':
        return state === null ? [{ type: 'Sent', to: command.to }] : reject('AlreadySent')
      case 'Deliver':
        if (state === null) return reject('NotSent')
        return state.delivered ? [] : [{ type: 'Delivered' }]
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'Sent':
        return { to: event.to, delivered: false }
      case 'Delivered':
        return state === null ? state : { ...state, delivered: true }
    }
  },
  isTerminal: (state) => state?.delivered ?? false,
}

const parts = { cart, payment, parcels: many(parcel) }

/** The shop: three deciders composed by name. */
export const shop = compose(parts)

/** A command of the shop: `{ part: 'cart', command: { type: 'AddItem', sku } }` and so on. */
export type ShopCommand = ComposedCommand<typeof parts>

/** An event of the shop: `{ part: 'payment', event: { type: 'Paid', amount } }` and so on. */
export type ShopEvent = ComposedEvent<typeof parts>

export const cartEvents = jsonCodec<CartEvent>({ ItemAdded: true, CheckedOut: true })
export const paymentEvents = fromZod({ Paid: z.object({ amount: z.number() }), Refunded: z.object({}) })
export const parcelEvents = jsonCodec<ParcelEvent>({ Sent: true, Delivered: true })

/** The shop's stored events: `cart.ItemAdded`, `payment.Paid`, `parcels.Sent`, … */
export const shopEvents = composeCodecs({
  cart: cartEvents,
  payment: paymentEvents,
  parcels: manyCodec(parcelEvents),
})
