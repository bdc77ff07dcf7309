// Followers and projections under injected faults on the memory recorder: transient failures (a
// read that fails, an append whose reply is lost after it committed) pass; permanent ones stop them.

import { EventfoldError } from 'eventfold'
import { aggregate, application } from 'eventfold/application'
import { createFollower, createProjection, createRunner, type LogSource } from 'eventfold/runners'
import { createMemoryRecorder, type MemoryRecorder } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { dog, dogEvents } from '../../examples/dog-school/dog.js'
import { createShop, orders, reservationsPolicy, shop } from '../../examples/shop/shop.js'

const dropped = () => new EventfoldError('ConnectionError', 'injected: the connection dropped')

/** Polls `check` until it holds, for at most 10 s; resolves to whether it held. */
const eventually = async (check: () => Promise<boolean> | boolean): Promise<boolean> => {
  for (const started = Date.now(); Date.now() - started < 10_000; ) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 10))
  }
  return false
}

/** A recorder whose every `every`-th append commits and then throws a transient error (its reply was lost). */
const losingReplies = (recorder: MemoryRecorder, every: number) => {
  // How many appends lost their reply, and how many upstream notifications they tracked.
  const lost = { count: 0, tracked: 0 }
  let appends = 0
  const wrapped: MemoryRecorder = {
    ...recorder,
    insertEvents: async (events, options) => {
      const ids = await recorder.insertEvents(events, options)
      if (++appends % every !== 0) return ids
      lost.count += 1
      const tracking = options?.tracking
      if (tracking) lost.tracked += tracking.notificationId - (tracking.after ?? tracking.notificationId - 1)
      throw dropped()
    },
  }
  return { recorder: wrapped, lost }
}

/** A log source whose reads and decodes fail transiently now and then. */
const flaky = (source: LogSource, every: number): LogSource => {
  let calls = 0
  const fail = () => ++calls % every === 0
  return {
    name: source.name,
    log: {
      ...source.log,
      select: (start, limit, options) =>
        fail() ? Promise.reject(dropped()) : source.log.select(start, limit, options),
    },
    decode: (notifications) => (fail() ? Promise.reject(dropped()) : source.decode(notifications)),
  }
}

describe('followers under transient faults (memory)', () => {
  it('go on from their tracked position after failed reads and lost replies: each notification once', async () => {
    const losing = losingReplies(createMemoryRecorder(), 3)
    const parts = createShop({ orders: createMemoryRecorder(), reservations: losing.recorder })
    const follower = createFollower({
      upstream: flaky(parts.orders.application, 4),
      downstream: parts.reservations.application,
      policy: reservationsPolicy,
      batchSize: 2,
    })
    const stop = new AbortController()
    const running = follower.run(stop.signal, { pollMs: 10 })
    for (let i = 0; i < 20; i++)
      await parts.orders.application.execute(orders, `o${i}`, { type: 'Place', items: ['x'] })
    expect(
      await eventually(async () => (await parts.reservations.application.trackedUpTo('orders')) >= 20),
    ).toBe(true)
    stop.abort()
    await running
    // Appends whose reply was lost committed, unbeknown to the follower: it found them tracked and went on.
    expect(losing.lost.count).toBeGreaterThan(0)
    expect(follower.stats()).toEqual({ processed: 20 - losing.lost.tracked, skipped: 0 })
    expect(await parts.reservations.application.trackedUpTo('orders')).toBe(20)
    expect(await parts.reservations.application.log.maxId()).toBe(20)
  })

  it('stop with the typed error when retrying cannot cure it, and the runner reports it', async () => {
    const parts = createShop()
    const denied = new EventfoldError('PermissionDenied', 'injected')
    const errors: unknown[] = []
    const undecodable = { ...parts.orders.application, decode: () => Promise.reject(denied) }
    const runner = createRunner(
      shop,
      { ...parts, orders: { ...parts.orders, application: undecodable } },
      { onError: (error) => errors.push(error) },
    )
    runner.start({ pollMs: 10 })
    await parts.orders.application.execute(orders, 'o1', { type: 'Place', items: ['x'] })
    expect(await eventually(() => errors.length > 0)).toBe(true)
    expect(errors).toEqual([denied])
    await runner.stop()
  })
})

describe('projections under transient faults (memory)', () => {
  it('go on from their position: every entry folded once', async () => {
    const dogs = aggregate({ name: 'dog', decider: dog, codec: dogEvents })
    const app = application({ name: 'school', aggregates: [dogs] })
    const positions = {
      initialState: [] as number[],
      evolve: (ids: number[], e: { notification: { id: number } }) => [...ids, e.notification.id],
    }
    const projection = createProjection(flaky(app, 3), positions, { batchSize: 2 })
    const stop = new AbortController()
    const running = projection.run(stop.signal, { pollMs: 10 })
    for (let i = 0; i < 10; i++) await app.execute(dogs, `d${i}`, { type: 'RegisterDog', name: `D${i}` })
    expect(await eventually(() => projection.current().position === 10)).toBe(true)
    stop.abort()
    await running
    expect(projection.current().state).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  })
})
