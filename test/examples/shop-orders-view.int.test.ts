// The shop's orders view on PostgreSQL: an SQL projection writing its own table in the same
// database (and schema) as the orders application's events, each notification applied once.

import { createRunner, createSqlProjection } from 'eventfold/runners'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { ordersTable, ordersViewPostgres } from '../../examples/shop/orders-view.js'
import { createShop, orders, shop } from '../../examples/shop/shop.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

describe.skipIf(skipPostgres)('the orders view (SQL projection on PostgreSQL)', () => {
  const url = databaseUrl ?? ''
  const sql = postgres(url, { onnotice: () => {} })
  afterAll(() => sql.end())

  it('keeps its table with its position, resumes after a restart, and stops at an entry it cannot apply', async () => {
    const schema = freshSchema()
    const ordersRecorder = createPostgresRecorder({ url, schema })
    const parts = createShop({
      orders: ordersRecorder,
      reservations: createPostgresRecorder({ url, schema: freshSchema() }),
    })
    const runner = createRunner(shop, parts)
    for (const id of ['o1', 'o2'])
      await parts.orders.application.execute(orders, id, { type: 'Place', items: [id] })
    await runner.settle()
    const view = () =>
      createSqlProjection({
        source: parts.orders.application,
        projection: ordersViewPostgres,
        store: ordersRecorder,
        batchSize: 3,
      })
    expect(await view().catchUp()).toBe(4)
    const rows = () => sql`select * from ${sql(schema)}.${sql(ordersTable(1))} order by order_id`
    expect(await rows()).toEqual([
      { order_id: 'o1', items: '["o1"]', reservation: 'for-o1' },
      { order_id: 'o2', items: '["o2"]', reservation: 'for-o2' },
    ])
    // Someone else's row for o4: placing o4 violates the view's primary key, a poison entry.
    await sql`insert into ${sql(schema)}.${sql(ordersTable(1))} (order_id, items) values ('o4', '[]')`
    for (const id of ['o3', 'o4', 'o5'])
      await parts.orders.application.execute(orders, id, { type: 'Place', items: [id] })
    await expect(view().catchUp()).rejects.toMatchObject({
      code: 'ProjectionFailed',
      context: { projection: 'orders_view', notificationId: 6, streamId: 'order-o4', version: 1 },
    })
    expect((await view().lag()).position).toBe(5)
    expect((await rows()).map((r) => r.order_id)).toEqual(['o1', 'o2', 'o3', 'o4'])
    await runner.close()
  })
})
