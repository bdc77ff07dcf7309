// The server restarts in the middle of a run: 8 writer processes and a follower on a cluster of
// this test's own. Commands succeed again once the server is back (none fails), the follower goes
// on by itself, and every event is stored and processed exactly once.

import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { application, instruction } from 'eventfold/application'
import { system } from 'eventfold/process'
import { createRunner } from 'eventfold/runners'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Cluster, startCluster } from '../support/cluster.js'
import { accounts } from '../support/instances-model.js'
import { skipPostgres } from '../support/postgres.js'
import { startWriters } from '../support/writers.js'

let cluster: Cluster | undefined
beforeAll(() => {
  if (!skipPostgres)
    cluster = startCluster(join(tmpdir(), `eventfold-restart-${process.pid}`), 55_400 + (process.pid % 500))
}, 60_000)
afterAll(() => cluster?.down())

const until = async (condition: () => boolean | Promise<boolean>, what: string) => {
  for (let tries = 0; tries < 600; tries++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`gave up waiting: ${what}`)
}

describe.skipIf(skipPostgres)('a PostgreSQL restart in the middle of a run', () => {
  it('8 writer processes and a follower go on by themselves; nothing lost, nothing twice', async () => {
    const url = cluster?.url ?? ''
    const recorder = (prefix: string) =>
      createPostgresRecorder({ url, prefix, applicationName: 'restart-follower' })
    const bank = application({ name: 'bank', aggregates: [accounts], recorder: recorder('bank_') })
    const audit = application({ name: 'audit', aggregates: [accounts], recorder: recorder('audit_') })
    await bank.execute(accounts, 'first', { type: 'Open' }) // creates the tables before the writers start
    await audit.log.maxId()
    const errors: unknown[] = []
    const runner = createRunner(
      system([['bank', 'audit']]),
      {
        bank: { application: bank },
        audit: {
          application: audit,
          policy: (upstream) => [instruction(accounts, `copy-${upstream.notificationId}`, { type: 'Open' })],
        },
      },
      { onError: (error) => errors.push(error) },
    )
    runner.start({ pollMs: 100 })
    const run = startWriters(8, { DATABASE_URL: url, WRITER_MODE: 'loop', WRITER_APP: 'restart-writer' })
    try {
      run.go()
      const oks = (i: number, after = 0) =>
        run.writers[i]?.lines.filter((l) => l.ok && (l.at ?? 0) > after) ?? []
      await until(() => run.writers.every((_, i) => oks(i).length >= 5), 'writers under way')
      cluster?.restart()
      const back = Date.now()
      await until(
        () => run.writers.every((_, i) => oks(i, back).length > 0),
        'a success of every writer after the restart',
      )
      const recovery = run.writers.map((_, i) => (oks(i, back)[0]?.at ?? back) - back)
      console.log(
        `[restart] first success after the server was back: ${Math.min(...recovery)}–${Math.max(...recovery)} ms`,
      )
      run.stop()
      const lines = await run.all()
      expect(lines.filter((l) => l.error)).toEqual([])
      const acknowledged = lines.filter((l) => l.ok).length
      expect(await bank.log.maxId()).toBe(acknowledged + 1)
      await until(
        async () => (await audit.trackedUpTo('bank')) === acknowledged + 1,
        'the follower caught up',
      )
      expect(await audit.log.maxId()).toBe(acknowledged + 1)
      expect(errors).toEqual([])
    } finally {
      run.kill()
      await runner.close()
    }
  }, 120_000)
})
