// The PostgreSQL recorder through PgBouncer in transaction pool mode (`transactionPooling: true`):
// the conformance suite, an application, followers woken by polling, and table leases.

import { type Application, application } from 'eventfold/application'
import { createRunner } from 'eventfold/runners'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { createDogSchool, dogs } from '../../examples/dog-school/dog-school.js'
import { createShop, orders, shop } from '../../examples/shop/shop.js'
import { recorderConformance } from '../../src/testing/index.js'
import { freshSchema, pgbouncerUrl, skipPgbouncer } from '../support/postgres.js'

/** A recorder that reaches PostgreSQL only through PgBouncer, as one process of many would. */
const pooled = (schema: string) =>
  createPostgresRecorder({ url: pgbouncerUrl ?? '', schema, transactionPooling: true, max: 4 })

const until = async (done: () => Promise<boolean>): Promise<void> => {
  for (let tries = 0; !(await done()) && tries < 3000; tries++) await new Promise((r) => setTimeout(r, 10))
}

describe.skipIf(skipPgbouncer)('PostgreSQL recorder conformance through PgBouncer (transaction mode)', () => {
  for (const c of recorderConformance(() => pooled(freshSchema()))) it(c.name, c.run)
})

describe.skipIf(skipPgbouncer)('an application through PgBouncer', () => {
  it('dog school: Fido learns two tricks; the log has ids 1, 2, 3', async () => {
    const school = createDogSchool({ recorder: pooled(freshSchema()) })
    const registered = await school.registerDog('Fido')
    if (!isRight(registered)) throw new Error('registration rejected')
    await school.addTrick(registered.right, 'roll over')
    await school.addTrick(registered.right, 'fetch ball')
    expect(await school.getDog(registered.right)).toEqual({
      name: 'Fido',
      tricks: ['roll over', 'fetch ball'],
    })
    expect((await school.app.log.select(1, 10)).map((n) => n.id)).toEqual([1, 2, 3])
    await school.close()
  })

  it('two instances on one schema: concurrent commands on one dog all land, each read current', async () => {
    const schema = freshSchema()
    const instance = (): Application =>
      application({ name: 'dog_school', aggregates: [dogs], recorder: pooled(schema) })
    const [a, b] = [instance(), instance()]
    await a.execute(dogs, 'rex', { type: 'RegisterDog', name: 'Rex' })
    expect((await b.get(dogs, 'rex')).state?.name).toBe('Rex')
    const tricks = Array.from({ length: 16 }, (_, i) => `trick ${i}`)
    const results = await Promise.all(
      tricks.map((trick, i) => (i % 2 ? a : b).execute(dogs, 'rex', { type: 'AddTrick', trick })),
    )
    expect(results.every(isRight)).toBe(true)
    for (const app of [a, b]) {
      const { state, version } = await app.get(dogs, 'rex')
      expect(version).toBe(17)
      expect([...(state?.tricks ?? [])].sort()).toEqual([...tricks].sort())
    }
    expect((await b.log.select(1, 100)).map((n) => n.id)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1))
    await a.close()
    await b.close()
  })
})

/** Fresh schemas, migrated before any process starts (as `npx eventfold migrate` would in a deployment). */
const migrated = async (count: number): Promise<string[]> => {
  const schemas = Array.from({ length: count }, freshSchema)
  for (const schema of schemas) {
    const recorder = pooled(schema)
    await recorder.maxNotificationId()
    await recorder.close()
  }
  return schemas
}

describe.skipIf(skipPgbouncer)('followers through PgBouncer', () => {
  it('learn of another process’s commits by polling, and process every notification once', async () => {
    const [orderSchema, reservationSchema] = await migrated(2)
    // Two copies of the shop, as two processes would have: one places orders, the other runs the followers.
    const copy = () =>
      createShop({ orders: pooled(orderSchema ?? ''), reservations: pooled(reservationSchema ?? '') })
    const [writer, follower] = [copy(), copy()]
    const stopped: unknown[] = []
    const runner = createRunner(shop, follower, { onError: (error) => stopped.push(error) })
    runner.start({ pollMs: 50 })
    const count = 30
    const placed = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        writer.orders.application.execute(orders, `o${i}`, { type: 'Place', items: [`item ${i}`] }),
      ),
    )
    expect(placed.every(isRight)).toBe(true)
    const reserved = async () => {
      const states = await Promise.all(
        Array.from({ length: count }, (_, i) => writer.orders.application.get(orders, `o${i}`)),
      )
      return states.filter((s) => s.state?.reservation).length
    }
    await until(async () => (await reserved()) === count || stopped.length > 0)
    expect(stopped).toEqual([])
    expect(await reserved()).toBe(count) // done by the running followers, not by the settle() below
    await runner.stop()
    await runner.settle() // the OrderReserved notifications the loops had not reached (they lead to nothing)
    expect(await writer.reservations.application.log.maxId()).toBe(count)
    expect(await writer.orders.application.log.maxId()).toBe(count * 2)
    expect(await writer.reservations.application.trackedUpTo('orders')).toBe(count * 2)
    expect(await writer.orders.application.trackedUpTo('reservations')).toBe(count)
    // Every notification processed once: 2 × count by reservations, count by orders, none found done.
    const stats = runner.followers.map((f) => f.stats())
    expect(stats.reduce((sum, s) => sum + s.processed, 0)).toBe(count * 3)
    expect(stats.map((s) => s.skipped)).toEqual([0, 0])
    await runner.close()
    await writer.orders.application.close()
    await writer.reservations.application.close()
  })
})

describe.skipIf(skipPgbouncer)('the schema on first use through PgBouncer', () => {
  // A recorder that waited for another's migration must see it committed (to_regclass, which reads
  // the session's cached catalog, did not: it ran the DDL again and CREATE SCHEMA failed).
  it('several processes starting at once on a fresh schema each find it migrated', async () => {
    for (let round = 0; round < 10; round++) {
      const schema = freshSchema()
      const recorders = [0, 1, 2, 3].map(() => pooled(schema))
      await Promise.all(recorders.map((r) => r.sql`select 1`)) // connected, as running processes are
      const started = await Promise.allSettled(recorders.map((r) => r.maxNotificationId()))
      for (const r of recorders) await r.close()
      expect(started.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'])
    }
  })
})

describe.skipIf(skipPgbouncer)('leases through PgBouncer', () => {
  it('have one holder among two recorders, and pass to the other once released', async () => {
    const schema = freshSchema()
    const [a, b] = [pooled(schema), pooled(schema)]
    const name = 'follow orders -> reservations'
    const held = await a.acquireLease(name)
    expect(held).toBeDefined()
    expect(await b.acquireLease(name)).toBeUndefined()
    expect(await a.acquireLease(name)).toBeUndefined() // not even its holder's recorder takes it twice
    await held?.release()
    const taken = await b.acquireLease(name)
    expect(taken).toBeDefined()
    expect(await a.acquireLease(name)).toBeUndefined()
    const [row] = await b.sql<{ holders: number }[]>`
      select count(*)::int as holders from ${b.sql.unsafe(b.names.leases)} where name = ${name}`
    expect(row?.holders).toBe(1)
    await b.close() // releases what it holds
    const after = await a.acquireLease(name)
    expect(after).toBeDefined()
    await after?.release()
    await a.close()
  })
})
