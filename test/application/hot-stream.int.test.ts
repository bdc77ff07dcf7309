// A hot stream across processes: 4 OS processes × 25 concurrent commands on one stream, with the
// default settings, all succeed (turns within a process, backoff between processes).

import { application } from 'eventfold/application'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, expect, it } from 'vitest'
import { accounts } from '../support/instances-model.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'
import { startWriters } from '../support/writers.js'

describe.skipIf(skipPostgres)('a hot stream written by several processes', () => {
  it('4 processes × 25 concurrent deposits on one account: none fails, none is lost', async () => {
    const schema = freshSchema()
    const bank = application({
      name: 'bank',
      aggregates: [accounts],
      recorder: createPostgresRecorder({ url: databaseUrl ?? '', schema, prefix: 'bank_' }),
    })
    await bank.execute(accounts, 'hot', { type: 'Open' })
    const run = startWriters(4, {
      DATABASE_URL: databaseUrl ?? '',
      WRITER_SCHEMA: schema,
      WRITER_MODE: 'hot',
      WRITER_COUNT: '25',
      WRITER_CONCURRENCY: '25',
    })
    run.go()
    const lines = await run.all()
    expect(lines.filter((l) => l.error)).toEqual([])
    expect(lines.filter((l) => l.ok).length).toBe(100)
    expect(await bank.get(accounts, 'hot')).toEqual({ state: { balance: 100 }, version: 101 })
    await bank.close()
  }, 60_000)
})
