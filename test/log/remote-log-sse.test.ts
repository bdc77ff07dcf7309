// The remote log's event stream: the parser, the handler's stream, and subscribers and followers
// woken by it alone (polling off).

import { createLogDecoder } from 'eventfold/application'
import { createRemoteLog } from 'eventfold/log'
import { createFollower } from 'eventfold/runners'
import { createMemoryRecorder } from 'eventfold/store'
import { describe, expect, it } from 'vitest'
import { createShop, orders } from '../../examples/shop/shop.js'
import { readEventStream } from '../../src/log/sse.js'
import { storedEvent } from '../../src/testing/index.js'
import { serveLogPerTest } from '../support/http.js'

const served = serveLogPerTest()

const chunks = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    start: (controller) => {
      for (const part of parts) controller.enqueue(new TextEncoder().encode(part))
      controller.close()
    },
  })

describe('the event stream parser', () => {
  it('reads events across chunks, line endings, comments and multi-line data', async () => {
    const events = []
    for await (const event of readEventStream(
      chunks(
        ': hello\r',
        '\nevent: max\r',
        '\ndata: 1\n\ndata:a\ndata: b\r\rid: 7\nretry: 5\n',
        'dat',
        'a: x\n\n',
      ),
    ))
      events.push(event)
    expect(events).toEqual([
      { event: 'max', data: '1' },
      { event: 'message', data: 'a\nb' },
      { event: 'message', data: 'x' },
    ])
  })

  it('drops an event cut off by the end of the stream, and names nothing after a blank line', async () => {
    const events = []
    for await (const event of readEventStream(chunks('event: max\n\ndata: 1\n\nevent: max\ndata: 2\n')))
      events.push(event)
    expect(events).toEqual([{ event: 'message', data: '1' }])
  })
})

describe('the event stream of the log handler', () => {
  it('sends the highest id now and on each commit, with heartbeats, and unsubscribes on abort', async () => {
    const { recorder, log, handler, watch } = await served({ heartbeatMs: 5 })
    const aborted = new AbortController()
    const response = await handler(new Request('http://x/log/events', { signal: aborted.signal }))
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(log.live()).toBe(1)
    const reader = (response.body ?? chunks()).pipeThrough(new TextDecoderStream()).getReader()
    let text = ''
    const readUntil = async (part: string) => {
      while (!text.includes(part)) text += (await reader.read()).value ?? ''
    }
    await readUntil('event: max\ndata: 0\n\n')
    await recorder.insertEvents([storedEvent('s', 1), storedEvent('s', 2)])
    await readUntil('event: max\ndata: 2\n\n')
    await readUntil(': heartbeat\n\n')
    aborted.abort()
    await watch.until(() => log.live() === 0)
    while (!(await reader.read()).done) {} // the stream ends (what was sent before may come first)
  })

  it('serves every stream from one subscription, refuses streams past maxStreams, and lets go with the last', async () => {
    const { log, handler, watch } = await served({ maxStreams: 2 })
    const controllers = [new AbortController(), new AbortController()]
    const responses = await Promise.all(
      controllers.map((c) => handler(new Request('http://x/log/events', { signal: c.signal }))),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200])
    expect(log.live()).toBe(1)
    const third = await handler(new Request('http://x/log/events'))
    expect([third.status, ((await third.json()) as { code: string }).code]).toEqual([503, 'LogUnavailable'])
    controllers[0]?.abort()
    expect(log.live()).toBe(1)
    controllers[1]?.abort()
    await watch.until(() => log.live() === 0)
  })

  it('unsubscribes when the reader cancels the body', async () => {
    const { log, handler } = await served()
    const response = await handler(new Request('http://x/log/events'))
    expect(log.live()).toBe(1)
    await response.body?.cancel()
    expect(log.live()).toBe(0)
  })
})

describe('the remote log woken over Server-Sent Events', () => {
  it('wakes a subscriber on each commit with polling off, and the server lets go on unsubscribe', async () => {
    const { recorder, log, count, url, watch } = await served()
    let wakes = 0
    const unsubscribe = await createRemoteLog(url, { pollMs: 0 }).subscribe(() => {
      wakes += 1
      watch.changed()
    })
    await watch.until(() => log.live() === 1)
    await recorder.insertEvents([storedEvent('s', 1)])
    await watch.until(() => wakes === 1)
    await recorder.insertEvents([storedEvent('s', 2)])
    await watch.until(() => wakes === 2)
    expect(count('/log/max')).toBe(1) // the one read when subscribing: no polls
    await unsubscribe()
    await watch.until(() => log.live() === 0)
  })

  it('lets a remote follower process each upstream event exactly once with polling off', async () => {
    const upstream = createMemoryRecorder()
    const shop = createShop({ orders: upstream })
    const { count, url, watch } = await served({ recorder: upstream })
    const remote = createRemoteLog(url, { pollMs: 0 })
    const caughtUpAt = new Set<number>() // where a read found nothing new: the follower then waits
    const follower = createFollower({
      upstream: {
        name: 'orders',
        log: {
          ...remote,
          select: async (start, limit, options) => {
            const found = await remote.select(start, limit, options)
            if (found.length === 0) caughtUpAt.add(start)
            watch.changed()
            return found
          },
        },
        decode: createLogDecoder({ aggregates: [orders] }),
      },
      downstream: shop.reservations.application,
      policy: shop.reservations.policy,
    })
    const stop = new AbortController()
    const running = follower.run(stop.signal, { pollMs: 600_000 })
    const place = (n: number) =>
      shop.orders.application.execute(orders, `o${n}`, { type: 'Place', items: [`i${n}`] })
    // Each round is placed while the follower waits, caught up: only a wake-up can move it on.
    await watch.until(() => caughtUpAt.has(1))
    for (let n = 1; n <= 30; n += 3) {
      await Promise.all([place(n), place(n + 1), place(n + 2)])
      await watch.until(() => caughtUpAt.has(n + 3))
    }
    stop.abort()
    await running
    expect(follower.stats()).toEqual({ processed: 30, skipped: 0 })
    expect(await shop.reservations.application.trackedUpTo('orders')).toBe(30)
    const reserved = await shop.reservations.application.log.select(1, 100)
    expect(reserved.map((n) => n.streamId).toSorted()).toEqual(
      Array.from({ length: 30 }, (_, i) => `reservation-for-o${i + 1}`).toSorted(),
    )
    expect(count('/log/max')).toBe(1) // the one read when subscribing: nothing polled
  })
})
