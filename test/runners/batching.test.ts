// Process applications record a batch of upstream notifications per transaction, each tracked, so
// that overlapping batches of racing instances still record every notification exactly once.

import { application } from 'eventfold/application'
import { createFollower } from 'eventfold/runners'
import { createMemoryRecorder, type MemoryRecorder } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { createShop, orders, reservations, reservationsPolicy } from '../../examples/shop/shop.js'

/** A recorder that counts its appends. */
const counting = (recorder: MemoryRecorder) => {
  const counts = { appends: 0 }
  const wrapped: MemoryRecorder = {
    ...recorder,
    insertEvents: (events, options) => {
      counts.appends += 1
      return recorder.insertEvents(events, options)
    },
  }
  return { recorder: wrapped, counts }
}

const placeOrders = async (parts: ReturnType<typeof createShop>, count: number) => {
  for (let i = 0; i < count; i++)
    await parts.orders.application.execute(orders, `o${i}`, { type: 'Place', items: [`item ${i}`] })
}

describe('process applications record batches', () => {
  it('one transaction per batch read; one per notification when batchTransactions is false', async () => {
    for (const [batchTransactions, appends] of [
      [true, 3],
      [false, 12],
    ] as const) {
      const downstream = counting(createMemoryRecorder())
      const parts = createShop({ reservations: downstream.recorder })
      await placeOrders(parts, 12)
      const follower = createFollower({
        upstream: parts.orders.application,
        downstream: parts.reservations.application,
        policy: reservationsPolicy,
        batchSize: 5,
        batchTransactions,
      })
      expect(await follower.pull()).toBe(12)
      expect(downstream.counts.appends).toBe(appends)
      expect(await parts.reservations.application.trackedUpTo('orders')).toBe(12)
      const reserved = await parts.reservations.application.get(reservations, 'for-o7')
      expect(reserved.state).toMatchObject({ order: 'o7' })
      // Each event of the batch carries the chain of the notification that caused it.
      const [entry] = await parts.reservations.application.read(8, 1)
      const [cause] = await parts.orders.application.read(8, 1)
      expect(entry?.notification.metadata?.causationId).toBe(cause?.notification.eventId)
    }
  })

  it('instances racing with different batch sizes record every notification once', async () => {
    const upstream = createShop()
    await placeOrders(upstream, 40)
    const shared = createMemoryRecorder()
    const instances = [3, 4, 7, 1].map((batchSize) =>
      createFollower({
        upstream: upstream.orders.application,
        downstream: application({ name: 'reservations', aggregates: [reservations], recorder: shared }),
        policy: reservationsPolicy,
        batchSize,
      }),
    )
    await Promise.all(instances.map((follower) => follower.pull()))
    const processed = instances.reduce((sum, f) => sum + f.stats().processed, 0)
    expect(processed).toBe(40)
    expect(await shared.maxNotificationId()).toBe(40)
    for (let id = 1; id <= 40; id++) expect(await shared.hasTracking('orders', id)).toBe(true)
    const streams = new Set((await shared.selectNotifications(1, 100)).map((n) => n.streamId))
    expect(streams.size).toBe(40)
  })

  it('a policy that throws at one notification: the ones before it are recorded, it is not', async () => {
    const parts = createShop()
    await placeOrders(parts, 6)
    const follower = createFollower({
      upstream: parts.orders.application,
      downstream: parts.reservations.application,
      policy: (u) => {
        if (u.notificationId === 4) throw new Error('policy failed')
        return reservationsPolicy(u)
      },
      batchSize: 6,
    })
    await expect(follower.pull()).rejects.toMatchObject({
      code: 'PolicyFailed',
      context: {
        upstream: 'orders',
        downstream: 'reservations',
        notificationId: 4,
        streamId: 'order-o3',
        version: 1,
      },
      cause: new Error('policy failed'),
    })
    expect(await parts.reservations.application.trackedUpTo('orders')).toBe(3)
    expect(await parts.reservations.application.log.maxId()).toBe(3)
  })
})
