import { createRunner } from 'eventfold/runners'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, expect, it } from 'vitest'
import { createShop, orders, shop } from '../../examples/shop/shop.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'
import { runsConcurrently, settlesExactlyOnce } from '../support/shop-checks.js'

describe.skipIf(skipPostgres)('the shop system on PostgreSQL', () => {
  const make = () => createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema(), max: 4 })
  it('settles in one thread, each notification processed exactly once', () => settlesExactlyOnce(make))
  it('runs its followers concurrently, woken through LISTEN/NOTIFY', () => runsConcurrently(make, 40))
})

/** Two copies of the shop (as two processes would have) on the same two PostgreSQL schemas. */
const twoCopies = () => {
  const [orderSchema, reservationSchema] = [freshSchema(), freshSchema()]
  const copy = () =>
    createShop({
      orders: createPostgresRecorder({ url: databaseUrl ?? '', schema: orderSchema, max: 4 }),
      reservations: createPostgresRecorder({ url: databaseUrl ?? '', schema: reservationSchema, max: 4 }),
    })
  return [copy(), copy()] as const
}

describe.skipIf(skipPostgres)('two copies of the shop system on one PostgreSQL database', () => {
  it('process every notification exactly once between them (tracking decides who wins)', async () => {
    const [a, b] = twoCopies()
    const runners = [createRunner(shop, a), createRunner(shop, b)]
    for (const runner of runners) runner.start({ pollMs: 50 })
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? a : b).orders.application.execute(orders, `o${i}`, { type: 'Place', items: ['x'] }),
      ),
    )
    const reserved = async () => {
      const states = await Promise.all(
        Array.from({ length: 30 }, (_, i) => a.orders.application.get(orders, `o${i}`)),
      )
      return states.filter((s) => s.state?.reservation).length
    }
    for (let tries = 0; (await reserved()) < 30 && tries < 2000; tries++)
      await new Promise((r) => setTimeout(r, 10))
    for (const runner of runners) await runner.stop()
    await runners[0]?.settle()
    expect(await reserved()).toBe(30)
    expect(await a.reservations.application.log.maxId()).toBe(30)
    expect(await a.orders.application.log.maxId()).toBe(60)
    for (const runner of runners) await runner.close()
  })
})

describe.skipIf(skipPostgres)('leases', () => {
  it('keep one instance of each follower active across two copies of a system: no work done twice', async () => {
    const [a, b] = twoCopies()
    const runners = [createRunner(shop, a), createRunner(shop, b)]
    for (const runner of runners) runner.start({ pollMs: 50, lease: true })
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).orders.application.execute(orders, `o${i}`, { type: 'Place', items: ['x'] }),
      ),
    )
    for (let tries = 0; tries < 2000; tries++) {
      const tracked = await a.orders.application.trackedUpTo('reservations')
      if (tracked >= 20) break
      await new Promise((r) => setTimeout(r, 10))
    }
    for (const runner of runners) await runner.stop()
    const [statsA, statsB] = runners.map((r) => r.followers.map((f) => f.stats()))
    for (let edge = 0; edge < 2; edge++) {
      const pair = [statsA?.[edge], statsB?.[edge]]
      expect(pair.map((s) => s?.skipped)).toEqual([0, 0])
      expect(Math.min(...pair.map((s) => s?.processed ?? 0))).toBe(0)
    }
    await runners[0]?.settle()
    expect(await a.reservations.application.log.maxId()).toBe(20)
    expect(await a.orders.application.log.maxId()).toBe(40)
    for (const runner of runners) await runner.close()
  })
})
