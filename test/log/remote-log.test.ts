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
