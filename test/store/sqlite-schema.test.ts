// SQLite schema management: databases of release 0.1 are migrated (or refused with SchemaMissing
// when the recorder may not create tables), a current schema is left untouched on start.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { createSqliteRecorder, LATEST_SCHEMA, migrate, pendingMigration } from 'eventfold/store/sqlite'
import { afterEach, describe, expect, it } from 'vitest'
import { storedEvent } from '../../src/testing/index.js'

const dirs: string[] = []
const file = () => {
  const dir = mkdtempSync(join(tmpdir(), 'eventfold-schema-'))
  dirs.push(dir)
  return join(dir, 'app.db')
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** The tables exactly as release 0.1 created them, with one event in them. */
const release01 = (path: string) => {
  const db = new Database(path)
  db.exec(`CREATE TABLE "eventfold_events" (notification_id INTEGER PRIMARY KEY, stream_id TEXT NOT NULL,
    version INTEGER NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL, data BLOB NOT NULL,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), UNIQUE (stream_id, version)) STRICT;
    CREATE TABLE "eventfold_tracking" (upstream TEXT NOT NULL, notification_id INTEGER NOT NULL,
      PRIMARY KEY (upstream, notification_id)) STRICT, WITHOUT ROWID;
    CREATE TABLE "eventfold_snapshots" (stream_id TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL,
      schema_version INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (stream_id, version)) STRICT, WITHOUT ROWID;
    CREATE TABLE "eventfold_data_keys" (subject TEXT PRIMARY KEY, wrapped BLOB NOT NULL) STRICT, WITHOUT ROWID;
    INSERT INTO "eventfold_events" (notification_id, stream_id, version, type, schema_version, data)
      VALUES (1, 'old', 1, 'Happened', 1, X'7B7D');`)
  db.close()
}

const schemaCounter = (path: string): number => {
  const db = new Database(path, { readonly: true })
  const version = db.pragma('schema_version', { simple: true }) as number
  db.close()
  return version
}

describe('SQLite schema management', () => {
  it('refuses tables of release 0.1 with SchemaMissing when it may not create tables, naming the command', () => {
    const path = file()
    release01(path)
    expect(() => createSqliteRecorder({ path, createTables: false })).toThrow(
      expect.objectContaining({
        code: 'SchemaMissing',
        message: expect.stringMatching(/npx eventfold migrate/),
      }),
    )
    expect(() => createSqliteRecorder({ path: file(), createTables: false })).toThrow(/SchemaMissing/)
  })

  it('migrates tables of release 0.1: old rows keep reading (no event id), new ones get one', async () => {
    const path = file()
    release01(path)
    expect(pendingMigration({ path }).from).toBe(1)
    expect(migrate({ path })).toMatchObject({ from: 1, to: LATEST_SCHEMA })
    expect(migrate({ path })).toEqual({ from: LATEST_SCHEMA, to: LATEST_SCHEMA, statements: [] })
    const recorder = createSqliteRecorder({ path, createTables: false })
    await recorder.insertEvents([storedEvent('new', 1)])
    const [old, fresh] = await recorder.selectNotifications(1, 10)
    expect(old).toMatchObject({ id: 1, streamId: 'old' })
    expect(old?.eventId).toBeUndefined()
    expect(fresh?.eventId).toMatch(/^[0-9a-f-]{36}$/)
    await recorder.close()
  })

  it('migrates on first use by default, and then sends no DDL when it starts', async () => {
    const path = file()
    const first = createSqliteRecorder({ path })
    await first.insertEvents([storedEvent('s', 1)])
    await first.close()
    const before = schemaCounter(path)
    const again = createSqliteRecorder({ path })
    expect(await again.maxNotificationId()).toBe(1)
    await again.close()
    expect(schemaCounter(path)).toBe(before)
  })

  it('refuses a schema newer than this release with SchemaTooNew', () => {
    const path = file()
    createSqliteRecorder({ path }).close()
    const db = new Database(path)
    db.exec('INSERT INTO "eventfold_schema_versions" (version) VALUES (99)')
    db.close()
    expect(() => createSqliteRecorder({ path })).toThrow(/SchemaTooNew/)
  })
})
