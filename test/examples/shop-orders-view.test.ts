// The shop's orders view, an SQL projection: its table and position live in a SQLite database of
// their own while the shop's events are elsewhere; each notification is applied once.

import type { EntryOf } from 'eventfold/application'
import { createRunner, createSqlProjection, sqlProjection } from 'eventfold/runners'
import { createSqliteRecorder, type SqliteTransaction } from 'eventfold/store/sqlite'
import { describe, expect, it } from 'vitest'
import { type OrderRow, ordersTable, ordersViewSqlite } from '../../examples/shop/orders-view.js'
import { createShop, orders, shop } from '../../examples/shop/shop.js'

describe('the orders view (SQL projection on SQLite)', () => {
  it('keeps a table of orders in another database, exactly once, and resumes where it stopped', async () => {
    const parts = createShop()
    const runner = createRunner(shop, parts)
    const views = createSqliteRecorder()
    const view = () =>
      createSqlProjection({ source: parts.orders.application, projection: ordersViewSqlite, store: views })
    await parts.orders.application.execute(orders, 'o1', { type: 'Place', items: ['apple', 'pear'] })
    await parts.orders.application.execute(orders, 'o2', { type: 'Place', items: ['fig'] })
    await runner.settle()
    expect(await view().catchUp()).toBe(4)
    const rows = () =>
      views.db.prepare(`SELECT * FROM ${ordersTable(1)} ORDER BY order_id`).all() as OrderRow[]
    expect(rows()).toEqual([
      { order_id: 'o1', items: '["apple","pear"]', reservation: 'for-o1' },
      { order_id: 'o2', items: '["fig"]', reservation: 'for-o2' },
    ])
    await parts.orders.application.execute(orders, 'o3', { type: 'Place', items: ['kiwi'] })
    // A new runner (a restart) applies only what is new: o1 and o2 are not inserted again.
    expect(await view().catchUp()).toBe(1)
    expect(rows().map((r) => r.order_id)).toEqual(['o1', 'o2', 'o3'])
    expect(await view().lag()).toMatchObject({ position: 5, head: 5, behind: 0, ready: true })
    await runner.close()
    await views.close()
  })

  it('an entry whose SQL fails stops the view before it; nothing of that batch after it is applied', async () => {
    const parts = createShop()
    const views = createSqliteRecorder()
    await parts.orders.application.execute(orders, 'o1', { type: 'Place', items: ['apple'] })
    await parts.orders.application.execute(orders, 'o2', { type: 'Place', items: ['fig'] })
    await parts.orders.application.execute(orders, 'o3', { type: 'Place', items: ['kiwi'] })
    // Someone put a row for o2 in the view's table: inserting o2 violates its primary key.
    views.db.exec(
      `CREATE TABLE ${ordersTable(1)} (order_id TEXT PRIMARY KEY, items TEXT NOT NULL, reservation TEXT)`,
    )
    views.db.exec(`INSERT INTO ${ordersTable(1)} (order_id, items) VALUES ('o2', '[]')`)
    const view = createSqlProjection({
      source: parts.orders.application,
      projection: ordersViewSqlite,
      store: views,
    })
    await expect(view.catchUp()).rejects.toMatchObject({
      code: 'ProjectionFailed',
      context: { projection: 'orders_view', notificationId: 2, streamId: 'order-o2', version: 1 },
    })
    expect((await view.lag()).position).toBe(1)
    const ids = views.db.prepare(`SELECT order_id FROM ${ordersTable(1)} ORDER BY order_id`).all()
    expect(ids).toEqual([{ order_id: 'o1' }, { order_id: 'o2' }])
    const tolerant = createSqlProjection({
      source: parts.orders.application,
      projection: ordersViewSqlite,
      store: views,
      poison: 'dead-letter',
    })
    await tolerant.catchUp()
    expect(await tolerant.deadLetters()).toMatchObject([{ notificationId: 2, streamId: 'order-o2' }])
    expect((await tolerant.lag()).position).toBe(3)
    await views.close()
  })
})

describe('SQL projections: failures that are no entry’s, waitFor, and async on SQLite', () => {
  it('a handler that fails with no entry at all stops even with dead letters, and keeps none', async () => {
    const parts = createShop()
    await parts.orders.application.execute(orders, 'o1', { type: 'Place', items: ['apple'] })
    const views = createSqliteRecorder()
    const broken = sqlProjection<SqliteTransaction, EntryOf<typeof orders>>({
      name: 'broken',
      handle: () => {
        throw new TypeError('db.query is not a function')
      },
    })
    const view = createSqlProjection({
      source: parts.orders.application,
      projection: broken,
      store: views,
      poison: 'dead-letter',
    })
    await expect(view.catchUp()).rejects.toMatchObject({
      code: 'InvalidConfiguration',
      message: expect.stringMatching(/fails with no entry at all/),
    })
    expect(await view.deadLetters()).toEqual([])
    expect(await view.lag()).toMatchObject({ position: 0, ready: false })
    await views.close()
  })

  it('waitFor resolves once the view has applied the id', async () => {
    const parts = createShop()
    const views = createSqliteRecorder()
    const view = createSqlProjection({
      source: parts.orders.application,
      projection: ordersViewSqlite,
      store: views,
    })
    view.start({ pollMs: 10 })
    const placed = await parts.orders.application.execute(orders, 'o1', { type: 'Place', items: ['apple'] })
    const id = placed._tag === 'Right' ? (placed.right.notificationIds[0] ?? 0) : 0
    await view.waitFor(id)
    expect(views.db.prepare(`SELECT order_id FROM ${ordersTable(1)}`).all()).toEqual([{ order_id: 'o1' }])
    await view.stop()
    await views.close()
  })

  it('an async handle is refused on SQLite, where it would write outside the transaction', () => {
    const parts = createShop()
    const views = createSqliteRecorder()
    const asyncView = sqlProjection<SqliteTransaction, EntryOf<typeof orders>>({
      name: 'late',
      handle: async () => {},
    })
    expect(() =>
      createSqlProjection({ source: parts.orders.application, projection: asyncView, store: views }),
    ).toThrow(/is async, and its store \(SQLite\) writes synchronously/)
  })
})
