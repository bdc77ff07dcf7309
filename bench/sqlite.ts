// SQLite benchmarks: the dog-school workload on a durable file (WAL, synchronous=FULL), and the
// same inserts done directly with better-sqlite3 (one event per transaction) as the baseline.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { application } from 'eventfold/application'
import { createMapper } from 'eventfold/store'
import { createSqliteRecorder } from 'eventfold/store/sqlite'
import type { Row } from './measure.js'
import { concurrently, dogSchool, dogs } from './workload.js'

const rawBaseline = async (path: string, total: number): Promise<number> => {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec(`CREATE TABLE raw (notification_id INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, version INTEGER NOT NULL,
    type TEXT NOT NULL, schema_version INTEGER NOT NULL, data BLOB NOT NULL, UNIQUE (stream_id, version)) STRICT`)
  const insert = db.prepare(
    'INSERT INTO raw (stream_id, version, type, schema_version, data) VALUES (?, ?, ?, ?, ?)',
  )
  const mapper = createMapper()
  const rate = await concurrently(total, 1, async (i) => {
    const e = mapper.toStored(
      `dog-${Math.floor(i / 3)}`,
      (i % 3) + 1,
      dogs.codec.encode({ type: 'TrickAdded', trick: 'roll over' }),
    )
    insert.run(e.streamId, e.version, e.type, e.schemaVersion, Buffer.from(e.data))
  })
  db.close()
  return rate
}

export const sqliteBenchmarks = async (count = 10_000): Promise<Row[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'eventfold-bench-'))
  try {
    const raw = await rawBaseline(join(dir, 'raw.db'), count * 3)
    const rows: Row[] = [
      {
        name: 'sqlite: raw better-sqlite3, single-insert transactions (file, WAL, FULL)',
        value: raw,
        unit: 'events/s',
      },
    ]
    for (const writers of [1, 8]) {
      const app = application({
        name: 'bench',
        aggregates: [dogs],
        recorder: createSqliteRecorder({ path: join(dir, `w${writers}.db`) }),
      })
      const ours = await dogSchool(app, count, writers)
      await app.close()
      rows.push({
        name: `sqlite: dog-school workload (${count * 3} events, durable file), ${writers} writer(s)`,
        value: ours,
        unit: 'events/s',
      })
      rows.push({
        name: `sqlite: ${writers} writer(s) as a ratio of raw better-sqlite3`,
        value: ours / raw,
        unit: '×',
      })
    }
    return rows
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
