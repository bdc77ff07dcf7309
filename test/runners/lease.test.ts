// Runners with leases on the memory recorder: stop() while a lease is being acquired, transient
// failures to acquire one, and a lease that is lost while its follower runs.

import { EventfoldError } from 'eventfold'
import { createRunner, type Runner } from 'eventfold/runners'
import { createMemoryRecorder, type Lease, type MemoryRecorder } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { createShop, orders, shop } from '../../examples/shop/shop.js'

/** Resolves to 'done' when `promise` settles within `ms`, else to 'hung' (a generous bound against hangs). */
const within = (ms: number, promise: Promise<unknown>) =>
  Promise.race([
    promise.then(() => 'done'),
    new Promise((resolve) => setTimeout(resolve, ms, 'hung').unref()),
  ])

/** Polls `check` until it holds, for at most 10 s; resolves to whether it held. */
const eventually = async (check: () => Promise<boolean> | boolean): Promise<boolean> => {
  for (const started = Date.now(); Date.now() - started < 10_000; ) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 10))
  }
  return false
}

/** True when every order o0 … o{count-1} is marked reserved. */
const allReserved = async (parts: ReturnType<typeof createShop>, count: number) => {
  const states = await Promise.all(
    Array.from({ length: count }, (_, i) => parts.orders.application.get(orders, `o${i}`)),
  )
  return states.every((s) => s.state?.reservation)
}

const place = async (parts: ReturnType<typeof createShop>, from: number, count: number) => {
  for (let i = from; i < from + count; i++)
    await parts.orders.application.execute(orders, `o${i}`, { type: 'Place', items: ['x'] })
}

/** A recorder whose leases can be taken away (their `lost` settles), and that reports what it grants. */
const revocable = (recorder: MemoryRecorder) => {
  const held = new Map<string, { lease: Lease; lose: () => void }>()
  const released: string[] = []
  const wrapped: MemoryRecorder = {
    ...recorder,
    acquireLease: async (name) => {
      const lease = await recorder.acquireLease(name)
      if (!lease) return undefined
      let lose = () => {}
      const lost = Promise.race([lease.lost, new Promise<void>((resolve) => (lose = resolve))])
      const release = async () => {
        held.delete(name)
        released.push(name)
        await lease.release()
      }
      held.set(name, { lease, lose })
      return { name, lost, release }
    },
  }
  return { recorder: wrapped, held, released }
}

describe('runners with leases (memory)', () => {
  it('stop() and close() while the leases are being acquired resolve and release the leases', async () => {
    const recorders = { orders: createMemoryRecorder(), reservations: createMemoryRecorder() }
    const first = createRunner(shop, createShop(recorders))
    first.start({ lease: true, pollMs: 50 }) // acquisition is under way: stop before it completes
    expect(await within(5_000, first.stop())).toBe('done')
    const closing = createRunner(shop, createShop())
    closing.start({ lease: true, pollMs: 50 })
    expect(await within(5_000, closing.close())).toBe('done')

    const again = await recorders.reservations.acquireLease('follow orders -> reservations')
    expect(again).toBeDefined()
    await again?.release()
    // Another copy of the system gets the leases and does the work.
    const parts = createShop(recorders)
    const second = createRunner(shop, parts)
    second.start({ lease: true, pollMs: 20 })
    await place(parts, 0, 3)
    expect(await eventually(() => allReserved(parts, 3))).toBe(true)
    await second.stop()
  })

  it('keep trying to acquire a lease through transient failures, and report permanent ones', async () => {
    let failures = 6
    const flaky = (recorder: MemoryRecorder): MemoryRecorder => ({
      ...recorder,
      acquireLease: (name) =>
        failures-- > 0
          ? Promise.reject(new EventfoldError('ConnectionError', 'injected: the connection dropped'))
          : recorder.acquireLease(name),
    })
    const parts = createShop({
      orders: flaky(createMemoryRecorder()),
      reservations: flaky(createMemoryRecorder()),
    })
    const errors: unknown[] = []
    const runner = createRunner(shop, parts, { onError: (error) => errors.push(error) })
    runner.start({ lease: true, pollMs: 20 })
    await place(parts, 0, 3)
    expect(await eventually(() => allReserved(parts, 3))).toBe(true)
    await runner.stop()
    expect(errors).toEqual([])

    const denied = (recorder: MemoryRecorder): MemoryRecorder => ({
      ...recorder,
      acquireLease: () => Promise.reject(new EventfoldError('PermissionDenied', 'injected')),
    })
    const deniedParts = createShop({
      orders: denied(createMemoryRecorder()),
      reservations: denied(createMemoryRecorder()),
    })
    const refused = createRunner(shop, deniedParts, {
      onError: (error) => errors.push(error),
    })
    refused.start({ lease: true, pollMs: 20 })
    expect(await eventually(() => errors.length === 2)).toBe(true)
    expect(errors).toMatchObject([{ code: 'PermissionDenied' }, { code: 'PermissionDenied' }])
    await refused.stop()
  })

  it('stop a follower whose lease is lost, release it, and let another instance take over', async () => {
    const recorders = { orders: createMemoryRecorder(), reservations: createMemoryRecorder() }
    const a = { orders: revocable(recorders.orders), reservations: revocable(recorders.reservations) }
    const partsA = createShop({ orders: a.orders.recorder, reservations: a.reservations.recorder })
    const partsB = createShop(recorders)
    const runners: Runner[] = [createRunner(shop, partsA), createRunner(shop, partsB)]
    runners[0]?.start({ lease: true, pollMs: 20 })
    expect(await eventually(() => a.orders.held.size + a.reservations.held.size === 2)).toBe(true)
    runners[1]?.start({ lease: true, pollMs: 20 })
    await place(partsB, 0, 5)
    expect(await eventually(() => allReserved(partsB, 5))).toBe(true)

    for (const side of [a.orders, a.reservations]) for (const { lose } of side.held.values()) lose()
    // A's followers stop and release their leases; B (or A again) takes them and goes on.
    expect(await eventually(() => a.orders.released.length + a.reservations.released.length === 2)).toBe(true)
    await place(partsB, 5, 5)
    expect(await eventually(() => allReserved(partsB, 10))).toBe(true)
    for (const runner of runners) await runner.stop()
    const processed = runners.flatMap((r) => r.followers.map((f) => f.stats().processed))
    expect(processed.reduce((sum, n) => sum + n, 0)).toBe(30) // 20 + 10 notifications, each once
    expect(await partsB.reservations.application.log.maxId()).toBe(10)
  })
})
