// A chain of two policies (the shop: orders → reservations → orders) carries one correlation id
// end to end, each event caused by the one before it — on every recorder.

import { createRunner } from 'eventfold/runners'
import { describe, expect, it } from 'vitest'
import { createShop, orders, shop } from '../../examples/shop/shop.js'
import { recorderKinds } from '../support/recorders.js'

describe.each(recorderKinds)('correlation and causation through a system ($name)', ({ create, skip }) => {
  it.skipIf(skip)(
    'one correlation id from the command to the end of the chain; each event caused by the last',
    async () => {
      const parts = createShop({ orders: create(), reservations: create() })
      const runner = createRunner(shop, parts)
      await parts.orders.application.execute(
        orders,
        'o1',
        { type: 'Place', items: ['apple'] },
        {
          metadata: { correlationId: 'request-1', actor: 'ada' },
        },
      )
      await parts.orders.application.execute(orders, 'o2', { type: 'Place', items: ['pear'] }) // no metadata given
      await runner.settle()
      const orderLog = await parts.orders.application.log.select(1, 10)
      const reservationLog = await parts.reservations.application.log.select(1, 10)
      const [placed1, placed2, ...reserved] = orderLog
      const [stock1, stock2] = reservationLog
      expect(placed1?.metadata).toEqual({ correlationId: 'request-1', actor: 'ada' })
      expect(placed2?.metadata).toBeUndefined() // the start of its own chain: its event id names it
      expect(stock1?.metadata).toEqual({ correlationId: 'request-1', causationId: placed1?.eventId })
      expect(stock2?.metadata).toEqual({ correlationId: placed2?.eventId, causationId: placed2?.eventId })
      expect(reserved.map((n) => [n.streamId, n.type, n.metadata])).toEqual([
        ['order-o1', 'OrderReserved', { correlationId: 'request-1', causationId: stock1?.eventId }],
        ['order-o2', 'OrderReserved', { correlationId: placed2?.eventId, causationId: stock2?.eventId }],
      ])
      for (const n of [...orderLog, ...reservationLog]) expect(n.eventId).toMatch(/^[0-9a-f-]{36}$/)
      await runner.close()
    },
  )
})
