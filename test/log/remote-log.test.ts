import { aggregate, application, createLogDecoder } from 'eventfold/application'
import { createLogHandler, createNotificationLog, createRemoteLog, follow } from 'eventfold/log'
import { createFollower } from 'eventfold/runners'
import { createKeyring, createMapper, createMemoryRecorder, generateKey, parseKey } from 'eventfold/store'
import { afterAll, describe, expect, it } from 'vitest'
import { dog, dogEvents } from '../../examples/dog-school/dog.js'
import { createShop, orders, reservations } from '../../examples/shop/shop.js'
import { storedEvent } from '../../src/testing/index.js'
import { serve } from '../support/http.js'

const servers: { readonly url: string; close(): Promise<void> }[] = []
afterAll(async () => {
  for (const server of servers) await server.close()
})
const served = async (recorder: ReturnType<typeof createMemoryRecorder>) => {
  const server = await serve(createLogHandler(createNotificationLog(recorder), { basePath: '/log' }))
  servers.push(server)
  return createRemoteLog(`${server.url}/log`, { pollMs: 20 })
}

describe('the remote log over HTTP', () => {
  it('serves sections and the highest id, and reads pages with stop and type filters', async () => {
    const recorder = createMemoryRecorder()
    await recorder.insertEvents([1, 2, 3, 4, 5].map((v) => storedEvent('s', v, v % 2 ? 'Odd' : 'Even')))
    const remote = await served(recorder)
    expect(await remote.maxId()).toBe(5)
    const section = await remote.section('1,3')
    expect([section.items.map((n) => n.id), section.next]).toEqual([[1, 2, 3], '4,6'])
    expect(section.items[0]?.data).toEqual(storedEvent('s', 1, 'Odd').data)
    expect((await remote.select(2, 2)).map((n) => n.id)).toEqual([2, 3])
    expect((await remote.select(1, 10, { types: ['Even'] })).map((n) => n.id)).toEqual([2, 4])
    expect((await remote.select(1, 10, { stop: 2 })).map((n) => n.id)).toEqual([1, 2])
  })

  it('gives typed errors: a bad section from the server, an unreachable server', async () => {
    const remote = await served(createMemoryRecorder())
    await expect(remote.section('3,1')).rejects.toMatchObject({ code: 'InvalidArgument' })
    await expect(createRemoteLog('http://127.0.0.1:1/log').maxId()).rejects.toMatchObject({
      code: 'ConnectionError',
    })
  })

  it('lets a log reader follow across the network, every event once, in order', async () => {
    const recorder = createMemoryRecorder()
    const remote = await served(recorder)
    const stop = new AbortController()
    const seen: number[] = []
    const reading = (async () => {
      for await (const batch of follow(remote, { batchSize: 4, pollMs: 600_000, signal: stop.signal })) {
        seen.push(...batch.notifications.map((n) => n.id))
        if (batch.position >= 12) stop.abort()
      }
    })()
    for (let v = 1; v <= 12; v += 3)
      await recorder.insertEvents([v, v + 1, v + 2].map((w) => storedEvent('s', w)))
    await reading
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
  })

  it('lets a downstream application follow an upstream one over HTTP, exactly once', async () => {
    const upstreamRecorder = createMemoryRecorder()
    const shop = createShop({ orders: upstreamRecorder })
    await shop.orders.application.execute(orders, 'o1', { type: 'Place', items: ['apple'] })
    await shop.orders.application.execute(orders, 'o2', { type: 'Place', items: ['pear'] })
    const follower = createFollower({
      upstream: {
        name: 'orders',
        log: await served(upstreamRecorder),
        decode: createLogDecoder({ aggregates: [orders] }),
      },
      downstream: shop.reservations.application,
      policy: shop.reservations.policy,
    })
    expect(await follower.pull()).toBe(2)
    expect(await follower.pull()).toBe(0)
    expect((await shop.reservations.application.get(reservations, 'for-o2')).state).toEqual({
      order: 'o2',
      items: ['pear'],
    })
  })

  it('carries ciphertext on the wire when the application encrypts', async () => {
    const recorder = createMemoryRecorder()
    const dogs = aggregate({ name: 'dog', decider: dog, codec: dogEvents })
    const mapper = createMapper({ keyring: createKeyring(parseKey(generateKey())) })
    const app = application({ name: 'school', aggregates: [dogs], recorder, mapper })
    await app.execute(dogs, 'd1', { type: 'RegisterDog', name: 'Sir Barksalot' })
    await served(recorder)
    const wire = await (await fetch(`${servers.at(-1)?.url}/log/sections/1,10`)).text()
    expect(wire).toContain('"streamId":"dog-d1"')
    expect(wire).not.toContain('Barksalot')
    expect(Buffer.from(JSON.parse(wire).items[0].data, 'base64').toString('latin1')).not.toContain(
      'Barksalot',
    )
  })
})

describe('the remote log behind an authorisation hook', () => {
  const guarded = async () => {
    const recorder = createMemoryRecorder()
    await recorder.insertEvents([storedEvent('s', 1), storedEvent('s', 2)])
    const denied: string[] = []
    const server = await serve(
      createLogHandler(createNotificationLog(recorder), {
        basePath: '/log',
        authorize: async (request) => {
          const ok = request.headers.get('authorization') === 'Bearer s3cret'
          if (!ok) denied.push(new URL(request.url).pathname)
          return ok
        },
      }),
    )
    servers.push(server)
    return { recorder, denied, url: `${server.url}/log` }
  }

  it('answers 401 with a JSON error, uncached, to a request it refuses', async () => {
    const { url } = await guarded()
    for (const path of ['/max', '/sections/1,2', '/events', '/nowhere']) {
      const response = await fetch(`${url}${path}`, { headers: { authorization: 'Bearer guess' } })
      expect(response.status).toBe(401)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(await response.json()).toMatchObject({ code: 'Unauthorized' })
    }
  })

  it('is read by a client that sends the headers, fixed or from a function, on every request', async () => {
    const { url, denied, recorder } = await guarded()
    let calls = 0
    for (const headers of [
      { authorization: 'Bearer s3cret' },
      async () => {
        calls += 1
        return { authorization: 'Bearer s3cret' }
      },
    ]) {
      const remote = createRemoteLog(url, { headers, pollMs: 0 })
      expect(await remote.maxId()).toBeGreaterThanOrEqual(2)
      expect((await remote.select(1, 10)).map((n) => n.id).slice(0, 2)).toEqual([1, 2])
      let woken: () => void = () => {}
      const wake = new Promise<void>((resolve) => (woken = resolve))
      const unsubscribe = await remote.subscribe(() => woken())
      await recorder.insertEvents([storedEvent('s', (await recorder.maxNotificationId()) + 1)])
      await wake // only the event stream can wake it: polling is off
      await unsubscribe()
    }
    expect(denied).toEqual([])
    expect(calls).toBeGreaterThanOrEqual(4) // max, section, max on subscribe, events
  })

  it('refuses a client without them with a typed error naming the status', async () => {
    const { url } = await guarded()
    const remote = createRemoteLog(url)
    const refused = { code: 'RemoteLogError', context: { status: 401, remoteCode: 'Unauthorized' } }
    await expect(remote.maxId()).rejects.toMatchObject(refused)
    await expect(remote.section('1,2')).rejects.toMatchObject(refused)
    await expect(remote.subscribe(() => {})).rejects.toMatchObject(refused)
    const forbidden = createRemoteLog(url, { fetch: async () => new Response('no', { status: 403 }) })
    await expect(forbidden.maxId()).rejects.toMatchObject({
      code: 'RemoteLogError',
      context: { status: 403 },
    })
  })
})

describe('the remote log and HTTP caches', () => {
  it('marks full sections immutable, and partial sections, the highest id and errors no-store', async () => {
    const recorder = createMemoryRecorder()
    await recorder.insertEvents([1, 2, 3, 4, 5].map((v) => storedEvent('s', v)))
    await served(recorder)
    const url = `${servers.at(-1)?.url}/log`
    const cacheControl = async (path: string) => (await fetch(`${url}${path}`)).headers.get('cache-control')
    expect(await cacheControl('/sections/1,5')).toBe('public, max-age=31536000, immutable')
    expect(await cacheControl('/sections/4,5')).toBe('public, max-age=31536000, immutable')
    expect(await cacheControl('/sections/1,6')).toBe('no-store')
    expect(await cacheControl('/sections/6,10')).toBe('no-store')
    expect(await cacheControl('/max')).toBe('no-store')
    expect(await cacheControl('/sections/5,1')).toBe('no-store')
  })

  it('keeps full sections out of shared caches when the log is behind authorisation', async () => {
    const recorder = createMemoryRecorder()
    await recorder.insertEvents([storedEvent('s', 1)])
    const log = createNotificationLog(recorder)
    const request = new Request('http://x/sections/1,1')
    const authorised = createLogHandler(log, { authorize: () => true })
    expect((await authorised(request)).headers.get('cache-control')).toBe(
      'private, max-age=31536000, immutable',
    )
    const chosen = createLogHandler(log, { fullSectionCacheControl: 'max-age=60' })
    expect((await chosen(request)).headers.get('cache-control')).toBe('max-age=60')
  })
})

describe('the remote log client facing odd answers', () => {
  const answering = (response: () => Response) =>
    createRemoteLog('http://x/log', { fetch: async () => response() })

  it('gives a typed error for a malformed answer', async () => {
    const html = answering(() => new Response('<html>', { status: 200 }))
    await expect(html.maxId()).rejects.toMatchObject({ code: 'RemoteLogError', context: { status: 200 } })
    const wrong = answering(() => Response.json({ max: 'many', items: [{ id: 1 }] }))
    await expect(wrong.maxId()).rejects.toMatchObject({ code: 'RemoteLogError' })
    await expect(wrong.section('1,2')).rejects.toMatchObject({ code: 'RemoteLogError' })
  })

  it('takes a gateway error (502, 503, 504) for a passing connection failure', async () => {
    for (const status of [502, 503, 504]) {
      const gateway = answering(() => new Response('Bad Gateway', { status }))
      await expect(gateway.maxId()).rejects.toMatchObject({ code: 'ConnectionError', context: { status } })
    }
    const broken = answering(() => new Response('oops', { status: 500 }))
    await expect(broken.maxId()).rejects.toMatchObject({ code: 'RemoteLogError', context: { status: 500 } })
  })
})
