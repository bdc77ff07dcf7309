// `npm run example:serverless`: the bank service behind Node's http on a loopback port, driven by a
// few requests as a client would send them; it prints each answer, then closes.

import { once } from 'node:events'
import { createServer } from 'node:http'
import { toNodeListener } from 'eventfold/interface'
import { createBank, createService } from './bank.js'

const bank = createBank()
const server = createServer(toNodeListener(createService(bank)))
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1')
await once(server, 'listening')
const { port } = server.address() as { port: number }
const base = `http://127.0.0.1:${port}/api`
console.log(`bank service on ${base} (${process.env.EVENTFOLD_PERSISTENCE ?? 'memory'} store)`)

const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const etag = response.headers.get('etag')
  console.log(
    `${method} ${path} ${JSON.stringify(body ?? '')} → ${response.status}${etag ? ` ETag ${etag}` : ''}`,
  )
  console.log(`  ${await response.text()}`)
}

await send('POST', '/accounts/alice', { type: 'Open', owner: 'Alice' })
await send('POST', '/accounts/alice', { type: 'Deposit', amount: 100 }, { 'if-match': '"1"' })
await send('POST', '/accounts/alice', { type: 'Withdraw', amount: 30 })
await send('POST', '/accounts/alice', { type: 'Withdraw', amount: 500 }) // 422: insufficient funds
await send('POST', '/accounts/alice', { type: 'Deposit', amount: 1 }, { 'if-match': '"1"' }) // 412: stale
await send('POST', '/accounts/bob', { type: 'Deposit', amount: 'lots' }) // 400: not a command
await send('GET', '/accounts/alice')
await send('GET', '/totals')
server.close()
await bank.close()
