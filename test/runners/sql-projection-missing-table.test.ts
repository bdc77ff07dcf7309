// A missing table is no entry's fault: an SQL projection stops, whatever its poison policy.

import type { EntryOf } from 'eventfold/application'
import { createSqlProjection, sqlProjection } from 'eventfold/runners'
import { createSqliteRecorder, type SqliteTransaction } from 'eventfold/store/sqlite'
import { expect, it } from 'vitest'
import { createShop, orders } from '../../examples/shop/shop.js'

it('on SQLite, a handler whose table is missing stops (as SchemaMissing does on PostgreSQL), it does not dead-letter every entry', async () => {
  const parts = createShop()
  for (const id of ['o1', 'o2', 'o3'])
    await parts.orders.application.execute(orders, id, { type: 'Place', items: ['apple'] })
  const views = createSqliteRecorder()
  const view = createSqlProjection({
    source: parts.orders.application,
    store: views,
    poison: 'dead-letter',
    projection: sqlProjection<SqliteTransaction, EntryOf<typeof orders>>({
      name: 'orders_list',
      // Its table was never created (a forgotten migration, or v2's table not made yet).
      handle: (db, entries) => {
        for (const e of entries)
          db.prepare('INSERT INTO orders_list (id) VALUES (?)').run(e.notification.streamId)
      },
    }),
  })
  const outcome = await view.catchUp().then(
    (n) => `caught up (${n})`,
    (error: unknown) => String(error),
  )
  const letters = await view.deadLetters()
  console.log(
    outcome,
    '| dead letters:',
    letters.map((l) => `${l.notificationId} ${l.code}: ${l.message}`),
  )
  expect(letters).toEqual([])
  expect((await view.lag()).position).toBe(0)
  await views.close()
})
