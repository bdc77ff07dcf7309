// Process applications' batches on PostgreSQL: instances with a pool each, over one database,
// racing with different batch sizes, record every upstream notification exactly once.

import { application } from 'eventfold/application'
import { createFollower } from 'eventfold/runners'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, expect, it } from 'vitest'
import { createShop, orders, reservations, reservationsPolicy } from '../../examples/shop/shop.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

describe.skipIf(skipPostgres)('process applications record batches (PostgreSQL)', () => {
  it('four instances racing with batch sizes 3, 4, 7 and 1 record each of 60 notifications once', async () => {
    const url = databaseUrl ?? ''
    const upstream = createShop({ orders: createPostgresRecorder({ url, schema: freshSchema() }) })
    for (let i = 0; i < 60; i++)
      await upstream.orders.application.execute(orders, `o${i}`, { type: 'Place', items: [`item ${i}`] })
    const schema = freshSchema()
    const recorders = [3, 4, 7, 1].map((batchSize) => ({
      batchSize,
      recorder: createPostgresRecorder({ url, schema, max: 3 }),
    }))
    const instances = recorders.map(({ batchSize, recorder }) =>
      createFollower({
        upstream: upstream.orders.application,
        downstream: application({ name: 'reservations', aggregates: [reservations], recorder }),
        policy: reservationsPolicy,
        batchSize,
      }),
    )
    try {
      await Promise.all(instances.map((follower) => follower.pull()))
      const shared = recorders[0]?.recorder
      if (!shared) throw new Error('no recorder')
      expect(instances.reduce((sum, f) => sum + f.stats().processed, 0)).toBe(60)
      expect(await shared.maxNotificationId()).toBe(60)
      expect(await shared.selectTrackers()).toEqual([{ upstream: 'orders', notificationId: 60 }])
      for (let id = 1; id <= 60; id++) expect(await shared.hasTracking('orders', id)).toBe(true)
      const streams = new Set((await shared.selectNotifications(1, 100)).map((n) => n.streamId))
      expect(streams.size).toBe(60)
    } finally {
      for (const { recorder } of recorders) await recorder.close()
      await upstream.orders.application.close()
    }
  })
})
