// If-Match under concurrency on PostgreSQL: 20 requests to two handlers (two applications, two
// pools, as two processes would have) with the same If-Match on one stream — one wins, 19 get 412.

import { application } from 'eventfold/application'
import { createCommandHandler, route } from 'eventfold/interface'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, expect, it } from 'vitest'
import { accounts } from '../support/instances-model.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

describe.skipIf(skipPostgres)('the command handler on PostgreSQL', () => {
  it('20 concurrent requests with the same If-Match on one stream: exactly one 200, the others 412', async () => {
    const schema = freshSchema()
    const apps = [0, 1].map(() =>
      application({
        name: 'bank',
        aggregates: [accounts],
        recorder: createPostgresRecorder({ url: databaseUrl ?? '', schema, max: 4 }),
      }),
    )
    const handlers = apps.map((app) =>
      createCommandHandler({
        application: app,
        routes: {
          accounts: route({
            aggregate: accounts,
            commands: (body) => body as { type: 'Deposit'; amount: number },
          }),
        },
      }),
    )
    await apps[0]?.execute(accounts, 'hot', { type: 'Open' })
    for (const app of apps) await app.get(accounts, 'hot') // both cache version 1
    const request = () =>
      new Request('http://bank.test/accounts/hot', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'if-match': '"1"' },
        body: JSON.stringify({ type: 'Deposit', amount: 1 }),
      })
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => handlers[i % 2]?.(request())))
    expect(answers.map((a) => a?.status).sort()).toEqual([200, ...Array.from({ length: 19 }, () => 412)])
    expect(await apps[0]?.get(accounts, 'hot')).toEqual({ state: { balance: 1 }, version: 2 })
    for (const app of apps) await app.close()
  })
})
