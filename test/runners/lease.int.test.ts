// Leases on PostgreSQL: stop() while the leases are being acquired, and a lease holder frozen by
// SIGSTOP in another OS process — replaced within its time to live, and harmless after SIGCONT.

import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createRunner } from 'eventfold/runners'
import { createPostgresRecorder, type PostgresRecorder } from 'eventfold/store/postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { createShop, orders, shop } from '../../examples/shop/shop.js'
import type { HolderReport } from '../support/lease-holder.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const RESERVE = 'follow orders -> reservations'
const MARK = 'follow reservations -> orders'

/** Resolves to 'done' when `promise` settles within `ms`, else to 'hung' (a generous bound against hangs). */
const within = (ms: number, promise: Promise<unknown>) =>
  Promise.race([
    promise.then(() => 'done'),
    new Promise((resolve) => setTimeout(resolve, ms, 'hung').unref()),
  ])

/** Polls `check` until it holds, for at most `ms`; resolves to whether it held. */
const eventually = async (check: () => Promise<boolean> | boolean, ms = 20_000): Promise<boolean> => {
  for (const started = Date.now(); Date.now() - started < ms; ) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return false
}

const recorder = (schema: string, leaseTtlMs?: number): PostgresRecorder =>
  createPostgresRecorder({ url: databaseUrl ?? '', schema, max: 4, ...(leaseTtlMs ? { leaseTtlMs } : {}) })

describe.skipIf(skipPostgres)('stop() while leases are being acquired (PostgreSQL)', () => {
  it('resolves and releases the leases it got at once (not after their time to live)', async () => {
    const schemas = { orders: freshSchema(), reservations: freshSchema() }
    for (const end of ['stop', 'close'] as const) {
      const recorders = {
        orders: recorder(schemas.orders, 600_000),
        reservations: recorder(schemas.reservations, 600_000),
      }
      const runner = createRunner(shop, createShop(recorders))
      runner.start({ lease: true, pollMs: 50 }) // the acquisition is in flight: stop before it completes
      expect(await within(15_000, end === 'stop' ? runner.stop() : runner.close())).toBe('done')
      if (end === 'stop') for (const r of Object.values(recorders)) await r.close()
    }
    const [ordersRecorder, reservationsRecorder] = [recorder(schemas.orders), recorder(schemas.reservations)]
    const leases = [await reservationsRecorder.acquireLease(RESERVE), await ordersRecorder.acquireLease(MARK)]
    expect(leases.map((lease) => lease?.name)).toEqual([RESERVE, MARK])
    await ordersRecorder.close()
    await reservationsRecorder.close()
  })
})

/** A lease holder in a child process, and what it has reported so far. */
interface Holder {
  readonly child: ChildProcess
  readonly reports: HolderReport[]
  /** The leases it holds, by its own reports. */
  holds(lease: string): boolean
  /** Sends "stop" and resolves to its followers' stats once it exits. */
  stop(): Promise<Record<string, { processed: number; skipped: number }>>
}

const spawned: ChildProcess[] = []

const spawnHolder = (config: Record<string, unknown>): Holder => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/lease-holder.ts'], {
    cwd: root,
    env: { ...process.env, LEASE_HOLDER: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  spawned.push(child)
  const reports: HolderReport[] = []
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    reports.push(JSON.parse(line) as HolderReport)
  })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  return {
    child,
    reports,
    holds: (lease) => {
      const last = reports.filter((r) => 'lease' in r && r.lease === lease).at(-1)
      return last?.event === 'acquired'
    },
    stop: async () => {
      child.stdin?.write('stop\n')
      await exited
      const last = reports.at(-1)
      return last?.event === 'stats' ? last.stats : {}
    },
  }
}

afterAll(() => {
  for (const child of spawned) {
    child.kill('SIGCONT')
    child.kill('SIGKILL')
  }
})

const count = async (sql: PostgresRecorder['sql'], query: string, args: string[] = []): Promise<number> => {
  const [row] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${query}`, args)
  return row?.n ?? -1
}

describe.skipIf(skipPostgres)('a lease holder frozen by SIGSTOP (two OS processes)', () => {
  it('is replaced within about its time to live; after SIGCONT it stops, and nothing is processed twice', async () => {
    const schemas = { orders: freshSchema(), reservations: freshSchema() }
    const recorders = { orders: recorder(schemas.orders), reservations: recorder(schemas.reservations) }
    const parts = createShop(recorders)
    const app = parts.orders.application
    await app.log.maxId() // creates the tables before the children start
    await parts.reservations.application.log.maxId()
    let placed = 0
    const placeAndWait = async (more: number) => {
      for (const end = placed + more; placed < end; placed++)
        await app.execute(orders, `o${placed}`, { type: 'Place', items: ['x'] })
      const done = async () =>
        (await parts.reservations.application.trackedUpTo('orders')) === 2 * placed &&
        (await app.trackedUpTo('reservations')) === placed
      expect(await eventually(done)).toBe(true)
    }
    const config = { url: databaseUrl, ...schemas, leaseTtlMs: 1000, pollMs: 50 }
    const a = spawnHolder(config)
    expect(await eventually(() => a.holds(RESERVE) && a.holds(MARK))).toBe(true)
    const b = spawnHolder(config)
    expect(await eventually(() => b.reports.some((r) => r.event === 'started'))).toBe(true)
    await placeAndWait(10)

    // Freeze whichever holds the leases now (A, unless a slow renewal let B take one).
    expect(await eventually(() => a.holds(RESERVE) || b.holds(RESERVE))).toBe(true)
    const [frozen, other] = a.holds(RESERVE) ? [a, b] : [b, a]
    const frozenHeld = [RESERVE, MARK].filter((lease) => frozen.holds(lease))
    const frozenAt = frozen.reports.length
    frozen.child.kill('SIGSTOP')
    await placeAndWait(10) // only the other can do this work: it took the leases over
    expect(await eventually(() => other.holds(RESERVE) && other.holds(MARK))).toBe(true)

    frozen.child.kill('SIGCONT')
    // It notices, once running again, that its leases are gone: its followers stop and release them.
    const stoppedAfterLoss = (lease: string) => {
      const since = frozen.reports.slice(frozenAt)
      const lost = since.findIndex((r) => r.event === 'lost' && r.lease === lease)
      return lost >= 0 && since.some((r, i) => i > lost && r.event === 'released' && r.lease === lease)
    }
    expect(await eventually(() => frozenHeld.every(stoppedAfterLoss))).toBe(true)
    await placeAndWait(5)

    const stats = [await a.stop(), await b.stop()]
    // A late wake-up of the frozen holder met tracking rows (skipped), never an error.
    expect([...a.reports, ...b.reports].filter((r) => r.event === 'error')).toEqual([])
    const processed = (edge: string) => stats.reduce((sum, s) => sum + (s[edge]?.processed ?? 0), 0)
    expect([processed('orders -> reservations'), processed('reservations -> orders')]).toEqual([50, 25])
    const { names, sql } = recorders.reservations
    expect(await count(sql, `${names.tracking} where upstream = $1`, ['orders'])).toBe(50)
    expect(await count(sql, names.events)).toBe(25)
    expect(await count(sql, `${names.events} where version > 1`)).toBe(0) // one reservation per order
    const ordersNames = recorders.orders.names
    expect(
      await count(recorders.orders.sql, `${ordersNames.tracking} where upstream = $1`, ['reservations']),
    ).toBe(25)
    expect(await count(recorders.orders.sql, `${ordersNames.events} where version > 2`)).toBe(0)
    for (const r of Object.values(recorders)) await r.close()
  })
})
