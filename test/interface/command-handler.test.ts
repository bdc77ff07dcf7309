// The command handler through real Request objects: every row of the status mapping, hostile
// requests, If-Match under concurrency, and Node's http on loopback.

import { once } from 'node:events'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { aggregate, application } from 'eventfold/application'
import { jsonCodec } from 'eventfold/codec'
import { createCommandHandler, route, toNodeListener } from 'eventfold/interface'
import { createMemoryRecorder } from 'eventfold/store'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import * as t from 'io-ts'
import { afterEach, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { accounts } from '../support/instances-model.js'

const commands = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Open') }),
  z.object({ type: z.literal('Deposit'), amount: z.number().int().min(0) }),
  z.object({ type: z.literal('Withdraw'), amount: z.number().int().min(0) }),
])

const setup = (options: { maxRetries?: number } = {}, maxBodyBytes = 1024) => {
  const recorder = createMemoryRecorder()
  const app = application({ name: 'bank', aggregates: [accounts], recorder, ...options })
  const handler = createCommandHandler({
    application: app,
    basePath: '/api',
    maxBodyBytes,
    routes: {
      accounts: route({
        aggregate: accounts,
        commands,
        rejectionStatus: (reason) => (reason === 'Overdraft' ? 422 : 409),
        view: (state) => state,
      }),
    },
  })
  return { recorder, app, handler }
}

/** A POST of a JSON body (a string or bytes as they are, anything else as JSON). */
const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  })

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  postJson(`http://bank.test/api/${path}`, body, headers)

const problemOf = async (response: Response): Promise<Record<string, unknown> & { status: number }> => {
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const body = (await response.json()) as Record<string, unknown>
  expect(JSON.stringify(body)).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/) // never a stack trace
  return { status: response.status, ...body }
}

describe('the command handler', () => {
  it('answers a command with 200, the new version and events, and the version as ETag', async () => {
    const { handler } = setup()
    const response = await handler(post('accounts/a1', { type: 'Open' }))
    expect(response.status).toBe(200)
    expect(response.headers.get('etag')).toBe('"1"')
    expect(await response.json()).toEqual({ version: 1, events: [{ type: 'Opened' }] })
  })

  it('takes If-Match as the expected version: 200 when it is current, 412 when it is not', async () => {
    const { handler, recorder } = setup()
    await handler(post('accounts/a1', { type: 'Open' }))
    const ok = await handler(post('accounts/a1', { type: 'Deposit', amount: 5 }, { 'if-match': '"1"' }))
    expect([ok.status, ok.headers.get('etag')]).toEqual([200, '"2"'])
    const stale = await handler(post('accounts/a1', { type: 'Deposit', amount: 5 }, { 'if-match': '"1"' }))
    expect(await problemOf(stale)).toMatchObject({ status: 412, code: 'ConcurrencyError' })
    expect(
      await problemOf(await handler(post('accounts/a1', { type: 'Open' }, { 'if-match': 'soon' }))),
    ).toMatchObject({ status: 400 })
    expect(await recorder.maxNotificationId()).toBe(2)
  })

  it('answers a conflict it could not retry away with 409 (no If-Match)', async () => {
    const { handler, app, recorder } = setup({ maxRetries: 0 })
    await handler(post('accounts/a1', { type: 'Open' }))
    await app.get(accounts, 'a1') // the handler's application caches version 1
    const other = application({ name: 'bank', aggregates: [accounts], recorder })
    await other.execute(accounts, 'a1', { type: 'Deposit', amount: 1 })
    const response = await handler(post('accounts/a1', { type: 'Deposit', amount: 1 }))
    expect(await problemOf(response)).toMatchObject({ status: 409, code: 'ConcurrencyError' })
  })

  it('answers a domain rejection with the status the route maps it to, and the rejection', async () => {
    const { handler } = setup()
    expect(await problemOf(await handler(post('accounts/a1', { type: 'Deposit', amount: 1 })))).toMatchObject(
      {
        status: 409,
        title: 'Command rejected',
        rejection: 'NotOpen',
      },
    )
    await handler(post('accounts/a1', { type: 'Open' }))
    expect(
      await problemOf(await handler(post('accounts/a1', { type: 'Withdraw', amount: 9 }))),
    ).toMatchObject({
      status: 422,
      rejection: 'Overdraft',
    })
  })

  it('answers bad input with 400, 404, 405, 413 or 415 naming what was wrong, and stores nothing', async () => {
    const { handler, recorder } = setup()
    const cases: [Request, number, RegExp][] = [
      [post('accounts/a1', '{"type":'), 400, /not JSON/],
      [post('accounts/a1', { type: 'Deposit', amount: -1 }), 400, /amount/],
      [post('accounts/a1', { type: 'Fly' }), 400, /type/],
      [post('accounts/a1', { type: 'Open' }, { 'content-type': 'text/plain' }), 415, /application\/json/],
      [post('accounts/a1', { type: 'Open', pad: 'x'.repeat(2000) }), 413, /1024 bytes/],
      [post('accounts/a%00b', { type: 'Open' }), 400, /NUL/],
      [post('accounts/a%E0%A4%A', { type: 'Open' }), 400, /URI/],
      [post('cats/c1', { type: 'Open' }), 404, /no route/],
      [post('accounts', { type: 'Open' }), 404, /no route/],
      [new Request('http://bank.test/api/accounts/a1', { method: 'DELETE' }), 405, /DELETE/],
    ]
    for (const [request, status, detail] of cases) {
      const answer = await problemOf(await handler(request))
      expect([answer.status, answer.detail]).toEqual([status, expect.stringMatching(detail)])
    }
    expect(await recorder.maxNotificationId()).toBe(0)
  })

  it('refuses hostile requests with 4xx problem+json and leaves the store unchanged', async () => {
    const { handler, recorder } = setup({}, 1024 * 1024)
    const huge = new Uint8Array(10 * 1024 * 1024).fill(0x20)
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    const hostile: [Request, number][] = [
      [post('accounts/a1', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 400], // not UTF-8
      [post('accounts/a1', huge), 413],
      [post('accounts/a1', deep), 400],
      [post('accounts/a1', `{"type":"Open","nested":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`), 400],
      [post('accounts/a1', '{"type":"Open","__proto__":{"admin":true}}'), 400],
      [post('accounts/a1', '{"type":"Open","constructor":{"prototype":{}}}'), 400],
      [post(`accounts/${encodeURIComponent('a\u0000')}`, { type: 'Open' }), 400],
    ]
    for (const [request, status] of hostile)
      expect((await problemOf(await handler(request))).status).toBe(status)
    expect(await recorder.maxNotificationId()).toBe(0)
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
  })

  it('answers a failure that may pass with 503 and Retry-After, anything unexpected with 500 and no details', async () => {
    const down = application({
      name: 'bank',
      aggregates: [accounts],
      recorder: createPostgresRecorder({ url: 'postgres://nobody@127.0.0.1:1/none', retryForMs: 50 }),
    })
    const unreachable = createCommandHandler({
      application: down,
      routes: { accounts: route({ aggregate: accounts, commands }) },
    })
    const response = await unreachable(postJson('http://bank.test/accounts/a1', { type: 'Open' }))
    expect(response.headers.get('retry-after')).toBe('1')
    const unavailable = await problemOf(response)
    expect(unavailable).toMatchObject({ status: 503, code: 'ConnectionError' })
    expect(JSON.stringify(unavailable)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|nobody/) // nothing of the driver's text
    await down.close()

    const broken = aggregate({
      name: 'broken',
      codec: jsonCodec<{ type: 'Never' }>({ Never: true }),
      decider: {
        initialState: 0,
        decide: (): { type: 'Never' }[] => {
          throw new Error('secret internals at /srv/app.ts:42')
        },
        evolve: (n: number) => n,
      },
    })
    const app = application({ name: 'brittle', aggregates: [broken] })
    const handler = createCommandHandler({
      application: app,
      routes: { broken: route({ aggregate: broken, commands: (x) => x }) },
    })
    const answer = await problemOf(await handler(postJson('http://x.test/broken/b1', {})))
    expect(answer).toEqual({ status: 500, type: 'about:blank', title: 'Internal Server Error' })
  })

  it('shows a state with GET and its ETag; 304 when unchanged; 404 for a stream never written', async () => {
    const { handler } = setup()
    await handler(post('accounts/a1', { type: 'Open' }))
    await handler(post('accounts/a1', { type: 'Deposit', amount: 7 }))
    const shown = await handler(new Request('http://bank.test/api/accounts/a1'))
    expect([shown.status, shown.headers.get('etag'), await shown.json()]).toEqual([
      200,
      '"2"',
      { version: 2, state: { balance: 7 } },
    ])
    const same = await handler(
      new Request('http://bank.test/api/accounts/a1', { headers: { 'if-none-match': '"2"' } }),
    )
    expect(same.status).toBe(304)
    expect((await problemOf(await handler(new Request('http://bank.test/api/accounts/zz')))).status).toBe(404)
    for (const tag of ['W/"2"', '"1", "2"', '*']) {
      const cached = await handler(
        new Request('http://bank.test/api/accounts/a1', { headers: { 'if-none-match': tag } }),
      )
      expect([tag, cached.status]).toEqual([tag, 304])
    }
    const head = await handler(new Request('http://bank.test/api/accounts/a1', { method: 'HEAD' }))
    expect([head.status, head.headers.get('etag'), await head.text()]).toEqual([200, '"2"', ''])
  })

  it('takes If-Match: * as "it exists" and If-None-Match: * as "it does not" for a command', async () => {
    const { handler, recorder } = setup()
    expect((await handler(post('accounts/a2', { type: 'Open' }, { 'if-match': '*' }))).status).toBe(412)
    expect((await handler(post('accounts/a2', { type: 'Open' }, { 'if-none-match': '*' }))).status).toBe(200)
    expect(
      (await handler(post('accounts/a2', { type: 'Deposit', amount: 1 }, { 'if-none-match': '*' }))).status,
    ).toBe(412)
    expect(
      (await handler(post('accounts/a2', { type: 'Deposit', amount: 1 }, { 'if-match': '*' }))).status,
    ).toBe(200)
    expect(await recorder.maxNotificationId()).toBe(2)
  })

  it('answers a command for a closed stream with 409 StreamClosed, and GET without a view with 405', async () => {
    type Event = { type: 'Opened' } | { type: 'Closed' }
    const doors = aggregate({
      name: 'door',
      codec: jsonCodec<Event>({ Opened: true, Closed: true }),
      decider: {
        initialState: 'new' as 'new' | 'open' | 'closed',
        decide: (c: { type: 'Open' } | { type: 'Close' }): Event[] => [
          { type: c.type === 'Open' ? 'Opened' : 'Closed' },
        ],
        evolve: (_: 'new' | 'open' | 'closed', e: Event) =>
          e.type === 'Opened' ? ('open' as const) : ('closed' as const),
        isTerminal: (state: 'new' | 'open' | 'closed') => state === 'closed',
      },
    })
    const app = application({ name: 'house', aggregates: [doors] })
    const handler = createCommandHandler({
      application: app,
      routes: {
        doors: route({ aggregate: doors, commands: (body) => body as { type: 'Open' } | { type: 'Close' } }),
      },
    })
    const send = (type: string) => handler(postJson('http://house.test/doors/d1', { type }))
    expect((await send('Close')).status).toBe(200)
    expect(await problemOf(await send('Open'))).toMatchObject({ status: 409, code: 'StreamClosed' })
    const shown = await handler(new Request('http://house.test/doors/d1'))
    expect([shown.status, shown.headers.get('allow')]).toEqual([405, 'POST'])
  })

  it('answers a committed command with 200 even when its result cannot be made (no retry, no double write)', async () => {
    const app = application({ name: 'bank', aggregates: [accounts] })
    const handler = createCommandHandler({
      application: app,
      routes: {
        accounts: route({
          aggregate: accounts,
          commands,
          result: () => {
            throw new Error('a view that breaks')
          },
        }),
      },
    })
    const response = await handler(postJson('http://bank.test/accounts/a1', { type: 'Open' }))
    expect([response.status, response.headers.get('etag'), await response.json()]).toEqual([
      200,
      '"1"',
      { version: 1 },
    ])
  })

  it('checks commands with io-ts or a plain function as well as zod', async () => {
    const app = application({ name: 'bank', aggregates: [accounts] })
    const byIoTs = createCommandHandler({
      application: app,
      routes: {
        accounts: route({
          aggregate: accounts,
          commands: t.union([
            t.type({ type: t.literal('Open') }),
            t.type({ type: t.literal('Deposit'), amount: t.number }),
          ]),
        }),
      },
    })
    const byFunction = createCommandHandler({
      application: app,
      routes: {
        accounts: route({
          aggregate: accounts,
          commands: (body) => {
            if ((body as { type?: unknown }).type !== 'Open') throw new Error('only Open is accepted here')
            return { type: 'Open' as const }
          },
        }),
      },
    })
    const request = (body: unknown) => postJson('http://bank.test/accounts/a9', body)
    expect((await byIoTs(request({ type: 'Open' }))).status).toBe(200)
    expect((await problemOf(await byIoTs(request({ type: 'Deposit', amount: 'x' })))).status).toBe(400)
    expect((await byFunction(request({ type: 'Deposit', amount: 1 }))).status).toBe(400)
    expect(await problemOf(await byFunction(request({ type: 'Deposit' })))).toMatchObject({
      detail: expect.stringMatching(/only Open/),
    })
  })

  it('20 concurrent requests with the same If-Match on one stream: exactly one 200, the others 412', async () => {
    const { handler, recorder } = setup()
    await handler(post('accounts/a1', { type: 'Open' }))
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        handler(post('accounts/a1', { type: 'Deposit', amount: 1 }, { 'if-match': '"1"' })),
      ),
    )
    const statuses = answers.map((a) => a.status).sort()
    expect(statuses).toEqual([200, ...Array.from({ length: 19 }, () => 412)])
    expect(await recorder.maxNotificationId()).toBe(2)
  })
})

describe('the command handler behind Node http', () => {
  const servers: ReturnType<typeof createServer>[] = []
  afterEach(() => {
    for (const server of servers.splice(0)) server.close()
  })

  it('answers request lines the Fetch API refuses with 400 or 501, and goes on serving', async () => {
    const { handler } = setup()
    const server = createServer(toNodeListener(handler))
    servers.push(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as { port: number }
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(text))
        let out = ''
        socket.on('data', (data) => {
          out += String(data)
          socket.end()
        })
        socket.on('close', () => resolve(out.split('\r\n')[0] ?? ''))
      })
    expect(await raw('GET // HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request')
    expect(await raw('GET /api/accounts/a1 HTTP/1.1\r\nHost: a b\r\n\r\n')).toBe('HTTP/1.1 404 Not Found')
    expect(await raw('TRACE / HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 501 Not Implemented')
    expect((await fetch(`http://127.0.0.1:${port}/api/accounts/a1`)).status).toBe(404) // still serving
  })

  it('serves commands and states unchanged on a loopback server', async () => {
    const { handler } = setup()
    const server = createServer(toNodeListener(handler))
    servers.push(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as { port: number }
    const base = `http://127.0.0.1:${port}/api/accounts/a1`
    const opened = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"Open"}',
    })
    expect([opened.status, opened.headers.get('etag')]).toEqual([200, '"1"'])
    const big = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(5000),
    })
    expect(big.status).toBe(413)
    const shown = await fetch(base)
    expect(await shown.json()).toEqual({ version: 1, state: { balance: 0 } })
  })
})
