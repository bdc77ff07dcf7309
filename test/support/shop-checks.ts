// The shop system's behaviour, checked on any recorders.

import { instruction } from 'eventfold/application'
import { createRunner } from 'eventfold/runners'
import type { Recorder } from 'eventfold/store'
import { expect } from 'vitest'
import { createShop, orders, reservations, shop } from '../../examples/shop/shop.js'

const place = (items: string[]) => ({ type: 'Place', items }) as const

/** Settles the system in one thread after each command, then checks every order got reserved exactly once. */
export const settlesExactlyOnce = async (make: () => Recorder): Promise<void> => {
  const parts = createShop({ orders: make(), reservations: make() })
  const runner = createRunner(shop, parts)
  await parts.orders.application.execute(orders, 'o1', place(['apple', 'pear']))
  await parts.orders.application.execute(orders, 'o2', place(['fig']))
  // reservations sees 2 OrderPlaced (→ 2 reservations), orders sees 2 StockReserved (→ 2 marked),
  // reservations sees the 2 OrderReserved (nothing to do, but processed): 6 notifications
  expect(await runner.settle()).toBe(6)
  expect(await runner.settle()).toBe(0)
  expect((await parts.orders.application.get(orders, 'o1')).state).toEqual({
    items: ['apple', 'pear'],
    reservation: 'for-o1',
  })
  expect(await parts.reservations.application.log.maxId()).toBe(2)
  expect(await parts.orders.application.log.maxId()).toBe(4)

  // Redelivering a notification records nothing new: the tracking row says it was processed.
  const [first] = await parts.orders.application.read(1, 1)
  const again = await parts.reservations.application
    .executeAll([instruction(reservations, 'for-x', { type: 'Reserve', order: 'x', items: ['x'] })], {
      upstream: 'orders',
      notificationId: first?.notification.id ?? 1,
    })
    .catch((error: { code?: string }) => error.code)
  expect(again).toBe('TrackingConflict')
  expect(await parts.reservations.application.log.maxId()).toBe(2)
  await runner.close()
}

/** Runs the followers concurrently while orders are placed at once; every order ends reserved. */
export const runsConcurrently = async (make: () => Recorder, count: number): Promise<void> => {
  const parts = createShop({ orders: make(), reservations: make() })
  const runner = createRunner(shop, parts)
  runner.start({ pollMs: 600_000 }) // only wake-ups can drive it
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      parts.orders.application.execute(orders, `o${i}`, place([`item ${i}`])),
    ),
  )
  const reserved = async () => {
    const states = await Promise.all(
      Array.from({ length: count }, (_, i) => parts.orders.application.get(orders, `o${i}`)),
    )
    return states.filter((s) => s.state?.reservation).length
  }
  for (let tries = 0; (await reserved()) < count && tries < 2000; tries++)
    await new Promise((r) => setTimeout(r, 10))
  await runner.stop()
  await runner.settle() // whatever the loops had not reached yet (events that lead to nothing)
  expect(await reserved()).toBe(count)
  expect(await parts.reservations.application.log.maxId()).toBe(count)
  expect(await parts.orders.application.log.maxId()).toBe(count * 2)
  expect(await parts.reservations.application.trackedUpTo('orders')).toBe(count * 2)
  await runner.close()
}
