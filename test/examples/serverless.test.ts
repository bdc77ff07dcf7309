// The serverless example: its service answered through Request objects and through Node's http on
// loopback, and `npm run example:serverless` as a child process.

import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { toNodeListener } from 'eventfold/interface'
import { describe, expect, it } from 'vitest'
import { createBank, createService } from '../../examples/serverless/bank.js'

const request = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  new Request(`https://bank.example/api${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })

describe('the serverless bank example', () => {
  it('opens, deposits and withdraws, refuses what it must, and reads totals from its projection', async () => {
    const bank = createBank()
    const service = createService(bank)
    const statuses: number[] = []
    for (const [method, path, body, headers] of [
      ['POST', '/accounts/alice', { type: 'Open', owner: 'Alice' }, { 'x-request-id': 'r-1' }],
      ['POST', '/accounts/alice', { type: 'Deposit', amount: 100 }, { 'if-match': '"1"' }],
      ['POST', '/accounts/alice', { type: 'Withdraw', amount: 500 }],
      ['POST', '/accounts/alice', { type: 'Deposit', amount: 1 }, { 'if-match': '"1"' }],
      ['POST', '/accounts/bob', { type: 'Deposit', amount: 5 }],
      ['POST', '/accounts/bob', { type: 'Deposit', amount: 'lots' }],
    ] as const)
      statuses.push((await service(request(method, path, body, headers))).status)
    expect(statuses).toEqual([200, 200, 422, 412, 409, 400])
    expect(await (await service(request('GET', '/accounts/alice'))).json()).toEqual({
      version: 2,
      state: { owner: 'Alice', balance: 100 },
    })
    expect(await (await service(request('GET', '/totals'))).json()).toEqual({
      accounts: 1,
      deposited: 100,
      withdrawn: 0,
      position: 2,
    })
    expect((await bank.log.select(1, 1))[0]?.metadata).toEqual({ requestId: 'r-1' })
    await bank.close()
  })

  it('serves the same over Node http on loopback', async () => {
    const bank = createBank()
    const server = createServer(toNodeListener(createService(bank)))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as { port: number }
    const open = await fetch(`http://127.0.0.1:${port}/api/accounts/carol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'Open', owner: 'Carol' }),
    })
    expect([open.status, open.headers.get('etag')]).toEqual([200, '"1"'])
    expect(await (await fetch(`http://127.0.0.1:${port}/api/totals`)).json()).toMatchObject({ accounts: 1 })
    server.close()
    await bank.close()
  })

  it('runs as npm run example:serverless does', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url))
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'examples/serverless/main.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    })
    expect(out).toMatch(/→ 422/)
    expect(out).toMatch(
      /GET \/totals "" → 200\n {2}\{"accounts":1,"deposited":100,"withdrawn":30,"position":3\}/,
    )
  })
})
