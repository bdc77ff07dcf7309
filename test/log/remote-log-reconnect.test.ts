// The remote log when its event stream fails: dropped, refused, missing or silent.

import { createRemoteLog, follow, type NotificationLog } from 'eventfold/log'
import { describe, expect, it, onTestFinished } from 'vitest'
import { storedEvent } from '../../src/testing/index.js'
import { serveLogPerTest } from '../support/http.js'

const served = serveLogPerTest()

describe('the remote log when its event stream fails', () => {
  it('reconnects a dropped stream, and wakes for what was committed while it was cut off', async () => {
    let down = false
    let refused = 0
    const { recorder, log, url, watch, server } = await served({
      intercept: (path) => {
        if (!down || path !== '/log/events') return undefined
        refused += 1
        return new Response(null, { status: 503 })
      },
    })
    let wakes = 0
    const unsubscribe = await createRemoteLog(url, { pollMs: 0 }).subscribe(() => {
      wakes += 1
      watch.changed()
    })
    await watch.until(() => log.live() === 1)
    await recorder.insertEvents([storedEvent('s', 1)])
    await watch.until(() => wakes === 1)
    down = true
    server.dropConnections()
    await watch.until(() => log.live() === 0) // the server let go of the dropped stream
    await recorder.insertEvents([storedEvent('s', 2)])
    const refusedBefore = refused
    await watch.until(() => refused > refusedBefore) // the client kept trying while cut off
    expect(wakes).toBe(1)
    down = false
    await watch.until(() => wakes === 2) // reconnected: the new stream's first id is news
    await watch.until(() => log.live() === 1)
    await recorder.insertEvents([storedEvent('s', 3)])
    await watch.until(() => wakes === 3)
    await unsubscribe()
    await watch.until(() => log.live() === 0)
  })

  it('wakes the reader when the stream is refused (401), so that it fails typed instead of waiting', async () => {
    let token = 'first'
    const { recorder, log, url, watch, server, count } = await served({
      authorize: (request) => request.headers.get('authorization') === `Bearer ${token}`,
    })
    const remote = createRemoteLog(url, {
      pollMs: 0,
      headers: async () => ({ authorization: 'Bearer first' }),
    })
    let emptyReads = 0 // reads that came back with nothing new: the reader then waits for a wake-up
    const counted: NotificationLog = {
      ...remote,
      select: async (start, limit, options) => {
        const found = await remote.select(start, limit, options)
        if (found.length === 0 && start === 2) emptyReads += 1
        watch.changed()
        return found
      },
    }
    const stop = new AbortController()
    onTestFinished(() => stop.abort())
    const reading = (async () => {
      for await (const _ of follow(counted, { pollMs: 600_000, signal: stop.signal })) watch.changed()
    })()
    await watch.until(() => log.live() === 1)
    await recorder.insertEvents([storedEvent('s', 1)])
    // Woken, it read id 1 and then found nothing after it, and no request is in flight.
    await watch.until(() => emptyReads === 1)
    token = 'second' // the client's credentials are revoked; its stream is cut
    server.dropConnections()
    await expect(reading).rejects.toMatchObject({
      code: 'RemoteLogError',
      context: { status: 401, remoteCode: 'Unauthorized' },
    })
    expect(count('/log/sections/2,101')).toBe(2)
  })

  it('polls the highest id when the server has no event stream, or when told not to use it', async () => {
    for (const [options, intercept] of [
      [{}, (path: string) => (path === '/log/events' ? new Response(null, { status: 404 }) : undefined)],
      [{ events: false }, () => undefined],
    ] as const) {
      const { recorder, url, watch, count } = await served({ intercept })
      let wakes = 0
      const unsubscribe = await createRemoteLog(url, options).subscribe(() => {
        wakes += 1
        watch.changed()
      })
      await recorder.insertEvents([storedEvent('s', 1)])
      await watch.until(() => wakes === 1)
      await unsubscribe()
      expect(count('/log/max')).toBeGreaterThan(1)
      if ('events' in options) expect(count('/log/events')).toBe(0)
    }
  })

  it('reconnects a stream that goes silent (no heartbeat) after staleMs', async () => {
    let cancelled = 0
    const { url, watch, count } = await served({
      intercept: (path) =>
        path === '/log/events'
          ? new Response(
              new ReadableStream({
                start: (controller) =>
                  controller.enqueue(new TextEncoder().encode('event: max\ndata: 0\n\n')),
                cancel: () => {
                  cancelled += 1
                  watch.changed()
                },
              }),
              { headers: { 'content-type': 'text/event-stream' } },
            )
          : undefined,
    })
    const unsubscribe = await createRemoteLog(url, { pollMs: 0, staleMs: 20 }).subscribe(() => {})
    await watch.until(() => count('/log/events') >= 3 && cancelled >= 2)
    await unsubscribe()
    await watch.until(() => cancelled === count('/log/events'))
  })
})
