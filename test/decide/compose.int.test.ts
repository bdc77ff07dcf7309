// A composed decider stored as one flat event union (composeCodecs) and reloaded by a second
// application, on the memory, SQLite and PostgreSQL recorders.

import { aggregate, application } from 'eventfold/application'
import { isEventfoldError } from 'eventfold/codec'
import { describe, expect, it } from 'vitest'
import { recorderKinds } from '../support/recorders.js'
import { type ShopCommand, shop, shopEvents } from './shop.js'

const shops = aggregate({ name: 'shop', decider: shop, codec: shopEvents })

const commands: readonly ShopCommand[] = [
  { part: 'cart', command: { type: 'AddItem', sku: 'tea' } },
  { part: 'payment', command: { type: 'Pay', amount: 4.5 } },
  { part: 'cart', command: { type: 'AddItem', sku: 'cake' } },
  { part: 'parcels', command: { id: 'p1', value: { type: 'Send', to: 'Oslo' } } },
  { part: 'cart', command: { type: 'CheckOut' } },
  { part: 'parcels', command: { id: 'p2', value: { type: 'Send', to: 'Lima' } } },
  { part: 'parcels', command: { id: 'p1', value: { type: 'Deliver' } } },
]

for (const kind of recorderKinds) {
  describe.skipIf(kind.skip)(`a composed decider on the ${kind.name} recorder`, () => {
    it('stores its events as one flat union and reloads the same state in another application', async () => {
      const recorder = kind.create()
      const writer = application({ name: 'shop_app', aggregates: [shops], recorder })
      for (const command of commands)
        expect((await writer.execute(shops, 'order1', command))._tag).toBe('Right')
      expect(
        await writer.execute(shops, 'order1', { part: 'cart', command: { type: 'AddItem', sku: 'x' } }),
      ).toEqual({ _tag: 'Left', left: 'CartCheckedOut' })

      const notifications = await writer.log.select(1, 20)
      expect(notifications.map((n) => [n.streamId, n.version, n.type])).toEqual([
        ['shop-order1', 1, 'cart.ItemAdded'],
        ['shop-order1', 2, 'payment.Paid'],
        ['shop-order1', 3, 'cart.ItemAdded'],
        ['shop-order1', 4, 'parcels.Sent'],
        ['shop-order1', 5, 'cart.CheckedOut'],
        ['shop-order1', 6, 'parcels.Sent'],
        ['shop-order1', 7, 'parcels.Delivered'],
      ])

      // No cache: the reader folds the stored events, decoded by the parts' codecs.
      const reader = application({ name: 'shop_app', aggregates: [shops], recorder, cacheSize: 0 })
      const { state, version } = await reader.get(shops, 'order1')
      expect(version).toBe(7)
      expect(state).toEqual({
        cart: { items: ['tea', 'cake'], checkedOut: true },
        payment: { paid: 4.5, refunded: false },
        parcels: new Map([
          ['p1', { to: 'Oslo', delivered: true }],
          ['p2', { to: 'Lima', delivered: false }],
        ]),
      })
      expect(await reader.get(shops, 'order1', { version: 2 })).toMatchObject({
        state: { cart: { items: ['tea'] }, payment: { paid: 4.5 } },
        version: 2,
      })
      await writer.close()
    })

    it('closes the stream once every part is terminal (isTerminal carried by compose)', async () => {
      const recorder = kind.create()
      const app = application({ name: 'shop_app', aggregates: [shops], recorder })
      const last: readonly ShopCommand[] = [
        { part: 'cart', command: { type: 'AddItem', sku: 'tea' } },
        { part: 'cart', command: { type: 'CheckOut' } },
        { part: 'payment', command: { type: 'Pay', amount: 2 } },
        { part: 'parcels', command: { id: 'p1', value: { type: 'Send', to: 'Oslo' } } },
        { part: 'parcels', command: { id: 'p1', value: { type: 'Deliver' } } },
        { part: 'payment', command: { type: 'Refund' } },
      ]
      for (const [i, command] of last.entries()) {
        // Until the refund, some part is still open, so commands are decided.
        if (i > 0) expect(shop.isTerminal?.((await app.get(shops, 'order2')).state)).toBe(false)
        expect((await app.execute(shops, 'order2', command))._tag).toBe('Right')
      }
      const reader = application({ name: 'shop_app', aggregates: [shops], recorder, cacheSize: 0 })
      const closed = await reader
        .execute(shops, 'order2', { part: 'payment', command: { type: 'Pay', amount: 1 } })
        .then(
          () => undefined,
          (error: unknown) => error,
        )
      expect(isEventfoldError(closed, 'StreamClosed')).toBe(true)
      expect((await reader.get(shops, 'order2')).version).toBe(6)
      await app.close()
    })
  })
}
