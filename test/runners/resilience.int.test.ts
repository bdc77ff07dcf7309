// Followers on PostgreSQL while their sessions are killed (pg_terminate_backend) again and again as
// orders are placed: they go on without a supervisor, every notification is processed exactly once,
// and the runner is never told of an error.

import { createRunner } from 'eventfold/runners'
import { createPostgresRecorder, type PostgresRecorder } from 'eventfold/store/postgres'
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { createShop, orders, shop } from '../../examples/shop/shop.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `check` until it holds, for at most 20 s (or until `failed`); resolves to whether it held. */
const eventually = async (check: () => Promise<boolean>, failed: () => boolean): Promise<boolean> => {
  for (const started = Date.now(); Date.now() - started < 20_000 && !failed(); await sleep(20))
    if (await check()) return true
  return false
}

const count = async (recorder: PostgresRecorder, query: string): Promise<number> => {
  const [row] = await recorder.sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${query}`)
  return row?.n ?? -1
}

/** Terminates every session named `applicationName` now and then until `done()`; resolves to how many. */
const killRepeatedly = async (applicationName: string, done: () => boolean): Promise<number> => {
  const sql = postgres(databaseUrl ?? '', { max: 1, onnotice: () => {} })
  let kills = 0
  try {
    while (!done()) {
      const [row] = await sql<{ n: number }[]>`
        with targets as materialized (
          select pid from pg_stat_activity where application_name = ${applicationName} and pid <> pg_backend_pid()
        )
        select count(*)::int as n from targets where pg_terminate_backend(pid)`
      kills += row?.n ?? 0
      await sleep(80)
    }
  } finally {
    await sql.end()
  }
  return kills
}

const variants = [
  ['the recorder retrying reads and resolving lost appends', {}, false],
  [
    'no retries in the recorder (retryForMs: 0): the followers alone ride the errors out',
    { retryForMs: 0 },
    false,
  ],
  ['leased followers (their lease rows renewed over killed sessions)', {}, true],
] as const

describe.skipIf(skipPostgres)('followers whose PostgreSQL sessions are killed', () => {
  for (const [label, options, lease] of variants) {
    it(`go on without a supervisor, each notification processed once — ${label}`, async () => {
      const N = 30
      const schemas = { orders: freshSchema(), reservations: freshSchema() }
      const applicationName = `ef_kill_${process.pid}_${'retryForMs' in options ? 'bare' : 'retrying'}_${lease}`
      const make = (schema: string, killable: boolean) =>
        createPostgresRecorder({
          url: databaseUrl ?? '',
          schema,
          max: 4,
          ...(killable ? { applicationName, ...options } : {}),
        })
      // Orders are placed (and results read) through sessions that are not killed.
      const placing = createShop({
        orders: make(schemas.orders, false),
        reservations: make(schemas.reservations, false),
      })
      await placing.orders.application.log.maxId()
      await placing.reservations.application.log.maxId()
      const killable = { orders: make(schemas.orders, true), reservations: make(schemas.reservations, true) }
      const errors: unknown[] = []
      const runner = createRunner(shop, createShop(killable), { onError: (error) => errors.push(error) })
      runner.start({ pollMs: 50, lease })

      let placed = false
      const killing = killRepeatedly(applicationName, () => placed)
      for (let i = 0; i < N; i++) {
        await placing.orders.application.execute(orders, `o${i}`, { type: 'Place', items: ['x'] })
        await sleep(30)
      }
      placed = true
      const kills = await killing
      const done = async () =>
        (await placing.reservations.application.trackedUpTo('orders')) === 2 * N &&
        (await placing.orders.application.trackedUpTo('reservations')) === N
      expect(await eventually(done, () => errors.length > 0)).toBe(true)
      await runner.stop()

      expect(errors).toEqual([])
      expect(kills).toBeGreaterThan(0)
      const stats = runner.followers.map((f) => f.stats())
      expect(stats.map((s) => s.skipped)).toEqual([0, 0])
      const processed = stats.reduce((sum, s) => sum + s.processed, 0)
      // An append whose reply was lost with its session counts only where the recorder resolves it.
      if ('retryForMs' in options) expect(processed).toBeLessThanOrEqual(3 * N)
      else expect(processed).toBe(3 * N)
      const { reservations } = killable
      expect(await count(reservations, `${reservations.names.tracking} where upstream = 'orders'`)).toBe(
        2 * N,
      )
      expect(await count(reservations, reservations.names.events)).toBe(N)
      expect(await count(reservations, `${reservations.names.events} where version > 1`)).toBe(0)
      const ordersRecorder = killable.orders
      expect(
        await count(ordersRecorder, `${ordersRecorder.names.tracking} where upstream = 'reservations'`),
      ).toBe(N)
      expect(await count(ordersRecorder, `${ordersRecorder.names.events} where version > 2`)).toBe(0)
      await runner.close()
      await placing.orders.application.close()
      await placing.reservations.application.close()
    })
  }
})
