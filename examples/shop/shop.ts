// A shop as a system of two applications: orders are placed; reservations follows orders and
// reserves stock for each; orders follows reservations and marks each order reserved.
// Event type names and payload shapes are a storage contract: change them through upcasters.

import { type Application, aggregate, application, instruction } from 'eventfold/application'
import type { EventOf } from 'eventfold/codec'
import { fromZod } from 'eventfold/codec/zod'
import { type Decider, reject } from 'eventfold/decide'
import { on, policy, system } from 'eventfold/process'
import type { ApplicationRecorder } from 'eventfold/store'
import * as z from 'zod'

const orderEvents = fromZod({
  OrderPlaced: z.object({ items: z.array(z.string()).min(1) }),
  OrderReserved: z.object({ reservation: z.string() }),
})
type OrderEvent = EventOf<typeof orderEvents>
type Order = { readonly items: readonly string[]; readonly reservation: string | null } | null
type OrderCommand =
  | { readonly type: 'Place'; readonly items: readonly string[] }
  | { readonly type: 'MarkReserved'; readonly reservation: string }

const order: Decider<OrderCommand, Order, OrderEvent, 'NoSuchOrder' | 'AlreadyPlaced'> = {
  initialState: null,
  decide: (command, state) => {
    switch (command.type) {
      case 'Place':
        return state ? reject('AlreadyPlaced') : [{ type: 'OrderPlaced', items: [...command.items] }]
      case 'MarkReserved':
        if (!state) return reject('NoSuchOrder')
        return state.reservation === command.reservation
          ? []
          : [{ type: 'OrderReserved', reservation: command.reservation }]
    }
  },
  evolve: (state, event) =>
    event.type === 'OrderPlaced'
      ? { items: event.items, reservation: null }
      : state && { ...state, reservation: event.reservation },
}

const reservationEvents = fromZod({
  StockReserved: z.object({ order: z.string(), items: z.array(z.string()) }),
})
type Reservation = { readonly order: string; readonly items: readonly string[] } | null
type Reserve = { readonly type: 'Reserve'; readonly order: string; readonly items: readonly string[] }

const reservation: Decider<Reserve, Reservation, { type: 'StockReserved'; order: string; items: string[] }> =
  {
    initialState: null,
    // Reserving twice for one order changes nothing: the policy may see an order again.
    decide: (command, state) =>
      state ? [] : [{ type: 'StockReserved', order: command.order, items: [...command.items] }],
    evolve: (_, event) => ({ order: event.order, items: event.items }),
  }

export const orders = aggregate({ name: 'order', decider: order, codec: orderEvents })
export const reservations = aggregate({ name: 'reservation', decider: reservation, codec: reservationEvents })

/** Who follows whom. */
export const shop = system([['orders', 'reservations', 'orders']])

/** Reservations: for each placed order, a reservation whose id is derived from the order's. */
export const reservationsPolicy = policy(
  on(orders, 'OrderPlaced', (u) => [
    instruction(reservations, `for-${u.id}`, { type: 'Reserve', order: u.id, items: u.event.items }),
  ]),
)

/** Orders: each stock reservation marks its order reserved. */
export const ordersPolicy = policy(
  on(reservations, 'StockReserved', (u) => [
    instruction(orders, u.event.order, { type: 'MarkReserved', reservation: u.id }),
  ]),
)

/** The shop's two applications on the given recorders (or those the environment chooses). */
export const createShop = (
  recorders: { readonly orders?: ApplicationRecorder; readonly reservations?: ApplicationRecorder } = {},
) => {
  const ordersApp = application({
    name: 'orders',
    aggregates: [orders],
    ...(recorders.orders ? { recorder: recorders.orders } : {}),
  })
  const reservationsApp: Application = application({
    name: 'reservations',
    aggregates: [reservations],
    ...(recorders.reservations ? { recorder: recorders.reservations } : {}),
  })
  return {
    orders: { application: ordersApp, policy: ordersPolicy },
    reservations: { application: reservationsApp, policy: reservationsPolicy },
  }
}
