import { edges, on, policy, system } from 'eventfold/process'
import { describe, expect, it } from 'vitest'
import { orders } from '../../examples/shop/shop.js'

describe('systems', () => {
  it('are built from pipes: each application follows the one before it', () => {
    const s = system([
      ['orders', 'reservations', 'orders'],
      ['orders', 'emails'],
    ])
    expect(s.applications).toEqual(['orders', 'reservations', 'emails'])
    expect(edges(s)).toEqual([
      ['reservations', 'orders'],
      ['orders', 'reservations'],
      ['orders', 'emails'],
    ])
  })
})

describe('policies', () => {
  const upstream = (aggregate: string, event: unknown) => ({
    application: 'orders',
    aggregate,
    id: 'o1',
    streamId: `${aggregate}-o1`,
    version: 1,
    notificationId: 1,
    event,
  })

  it('dispatch on aggregate and event type; anything else gives no instructions', () => {
    const p = policy(on(orders, 'OrderPlaced', (u) => u.event.items.map((item) => `reserve ${item}`)))
    expect(p(upstream('order', { type: 'OrderPlaced', items: ['a', 'b'] }))).toEqual([
      'reserve a',
      'reserve b',
    ])
    expect(p(upstream('order', { type: 'OrderReserved', reservation: 'r' }))).toEqual([])
    expect(p(upstream('invoice', { type: 'OrderPlaced', items: ['a'] }))).toEqual([])
    expect(p(upstream('order', 'not an event'))).toEqual([])
  })
})
