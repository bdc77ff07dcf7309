// A durable document projection on a SQLite file (WAL) in another OS process, killed by SIGKILL
// again and again while this process appends to the same file: each entry is applied exactly once.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSqliteRecorder } from 'eventfold/store/sqlite'
import { afterAll, describe, expect, it } from 'vitest'
import { accountIds, bank, seed, startWriting } from '../support/ledger.js'
import { expectFoldOfLog, killAll, killRepeatedly, runToEnd } from '../support/projection-processes.js'

const dir = mkdtempSync(join(tmpdir(), 'eventfold-projection-crash-'))
afterAll(() => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})

describe('a document projection in an OS process (SQLite file)', () => {
  it('killed by SIGKILL 7 times mid-batch while writes go on, it applies every entry exactly once', async () => {
    const path = join(dir, 'bank.db')
    const recorder = createSqliteRecorder({ path })
    expect(recorder.db.pragma('journal_mode', { simple: true })).toBe('wal')
    const app = bank(recorder)
    const ids = accountIds(50)
    await seed(app, ids, 59) // 3,000 events
    const head = () => app.log.maxId()
    const writing = startWriting(app, ids, { perRound: 5, pauseMs: 20 })
    const config = { store: 'sqlite', path, batchSize: 7, pollMs: 20, lease: false } as const
    // A killed process's write lock and unfinished transaction end with it (WAL recovery does the rest).
    const options = { config, store: recorder, head, settled: async () => {} }
    const kills = await killRepeatedly(options, 7)
    await runToEnd(options, writing)
    const events = await expectFoldOfLog(app, recorder)
    console.info(`[projection-crash] sqlite: ${events} events; kills ${JSON.stringify(kills)}`)
    await app.close()
  }, 60_000)
})
