import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSqliteRecorder } from 'eventfold/store/sqlite'
import { afterAll, describe, expect, it } from 'vitest'
import { recorderConformance, storedEvent } from '../../src/testing/index.js'

const dir = mkdtempSync(join(tmpdir(), 'eventfold-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

describe('SQLite recorder conformance (in memory)', () => {
  for (const c of recorderConformance(() => createSqliteRecorder())) it(c.name, c.run)
})

describe('SQLite recorder conformance (file, WAL)', () => {
  for (const c of recorderConformance(() => createSqliteRecorder({ path: join(dir, `c${++files}.db`) })))
    it(c.name, c.run)
})

describe('SQLite recorder durability', () => {
  it('keeps what it committed across a close and a reopen, in WAL mode with synchronous=FULL', async () => {
    const path = join(dir, 'durable.db')
    const first = createSqliteRecorder({ path })
    expect(first.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(first.db.pragma('synchronous', { simple: true })).toBe(2)
    await first.insertEvents([storedEvent('s', 1), storedEvent('s', 2)])
    await first.close()
    const second = createSqliteRecorder({ path })
    expect((await second.selectEvents('s')).map((e) => e.version)).toEqual([1, 2])
    expect(await second.insertEvents([storedEvent('s', 3)])).toEqual([3])
    await second.close()
  })
})
