// The shop's orders view: an SQL projection that keeps a table of orders (items, reservation) in
// the same transaction as its position in the orders log — on SQLite and on PostgreSQL.

import type { EntryOf } from 'eventfold/application'
import { type SqlProjection, sqlProjection } from 'eventfold/runners'
import type { PostgresTransaction } from 'eventfold/store/postgres'
import type { SqliteTransaction } from 'eventfold/store/sqlite'
import type { orders } from './shop.js'

type OrderEntry = EntryOf<typeof orders>

/** The view's table for a version of the projection: a new version builds its own table. */
export const ordersTable = (version: number) => `orders_view_v${version}`

/** One row of the orders view. */
export interface OrderRow {
  readonly order_id: string
  readonly items: string
  readonly reservation: string | null
}

const orderIdOf = (entry: OrderEntry) => entry.notification.streamId.slice('order-'.length)

/** The orders view on SQLite (better-sqlite3: synchronous, inside the projection's transaction). */
export const ordersViewSqlite: SqlProjection<SqliteTransaction, OrderEntry> = sqlProjection({
  name: 'orders_view',
  handle: (db: SqliteTransaction, entries: readonly OrderEntry[], { version }) => {
    const table = ordersTable(version)
    db.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (order_id TEXT PRIMARY KEY, items TEXT NOT NULL, reservation TEXT)`,
    )
    const place = db.prepare(`INSERT INTO ${table} (order_id, items) VALUES (?, ?)`)
    const reserve = db.prepare(`UPDATE ${table} SET reservation = ? WHERE order_id = ?`)
    for (const entry of entries) {
      if (entry._tag === 'Erased') continue
      const { event } = entry
      if (event.type === 'OrderPlaced') place.run(orderIdOf(entry), JSON.stringify(event.items))
      else reserve.run(event.reservation, orderIdOf(entry))
    }
  },
})

/** The orders view on PostgreSQL (a postgres.js transaction). */
export const ordersViewPostgres: SqlProjection<PostgresTransaction, OrderEntry> = sqlProjection({
  name: 'orders_view',
  handle: async (tx: PostgresTransaction, entries: readonly OrderEntry[], { version }) => {
    const table = tx(ordersTable(version))
    await tx`CREATE TABLE IF NOT EXISTS ${table} (order_id text PRIMARY KEY, items text NOT NULL, reservation text)`
    for (const entry of entries) {
      if (entry._tag === 'Erased') continue
      const { event } = entry
      if (event.type === 'OrderPlaced')
        await tx`INSERT INTO ${table} (order_id, items) VALUES (${orderIdOf(entry)}, ${JSON.stringify(event.items)})`
      else
        await tx`UPDATE ${table} SET reservation = ${event.reservation} WHERE order_id = ${orderIdOf(entry)}`
    }
  },
})
