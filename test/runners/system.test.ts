import { application } from 'eventfold/application'
import { system } from 'eventfold/process'
import { createRunner } from 'eventfold/runners'
import { createMemoryRecorder } from 'eventfold/store'
import { createSqliteRecorder } from 'eventfold/store/sqlite'
import { describe, expect, it } from 'vitest'
import { createShop, orders, shop } from '../../examples/shop/shop.js'
import { runsConcurrently, settlesExactlyOnce } from '../support/shop-checks.js'

for (const [name, make] of [
  ['memory', createMemoryRecorder],
  ['sqlite', () => createSqliteRecorder()],
] as const) {
  describe(`the shop system on ${name} recorders`, () => {
    it('settles in one thread, each notification processed exactly once', () => settlesExactlyOnce(make))
    it('runs its followers concurrently, woken by commits', () => runsConcurrently(make, 25))
  })
}

describe('runners', () => {
  it('resume where the tracking says, after a restart', async () => {
    const orderRecorder = createMemoryRecorder()
    const reservationRecorder = createMemoryRecorder()
    const first = createShop({ orders: orderRecorder, reservations: reservationRecorder })
    await first.orders.application.execute(orders, 'o1', { type: 'Place', items: ['a'] })
    await createRunner(shop, first).settle()
    const again = createShop({ orders: orderRecorder, reservations: reservationRecorder })
    await again.orders.application.execute(orders, 'o2', { type: 'Place', items: ['b'] })
    expect(await createRunner(shop, again).settle()).toBe(3)
    expect(await again.reservations.application.log.maxId()).toBe(2)
  })

  it('report rejected instructions and still track the notification', async () => {
    const parts = createShop()
    const rejections: unknown[] = []
    const runner = createRunner(shop, parts, { onRejection: (r) => rejections.push(r.reason) })
    // A reservation for an order that orders never heard of: MarkReserved is rejected.
    await parts.reservations.application.execute(
      (await import('../../examples/shop/shop.js')).reservations,
      'stray',
      { type: 'Reserve', order: 'ghost', items: [] },
    )
    await runner.settle()
    expect(rejections).toEqual(['NoSuchOrder'])
    expect(await parts.orders.application.trackedUpTo('reservations')).toBe(1)
  })

  it('refuse systems that do not match their parts', () => {
    const parts = createShop()
    expect(() => createRunner(system([['orders', 'billing']]), parts)).toThrow(/"billing" is not given/)
    expect(() => createRunner(system([['orders']]), parts)).toThrow(/"reservations" is not in the system/)
    expect(() => createRunner(system([['orders', 'orders']]), { orders: parts.orders })).toThrow(
      /cannot follow itself/,
    )
    const { policy: _p, ...noPolicy } = parts.reservations
    expect(() => createRunner(shop, { orders: parts.orders, reservations: noPolicy })).toThrow(
      /has no policy/,
    )
    const other = application({ name: 'elsewhere', aggregates: [] })
    expect(() =>
      createRunner(shop, {
        orders: parts.orders,
        reservations: { ...parts.reservations, application: other },
      }),
    ).toThrow(/another name/)
  })
})
