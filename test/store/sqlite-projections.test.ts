// The SQLite recorder as a projection recorder: the conformance suite in memory and on a WAL file, SQL
// projections that write their own tables in the batch's transaction, big batches, and schema 3.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { JsonValue } from 'eventfold/codec'
import type { DocumentChange, ProjectionBatch } from 'eventfold/store'
import { createSqliteRecorder, LATEST_SCHEMA, migrate } from 'eventfold/store/sqlite'
import { afterAll, describe, expect, it } from 'vitest'
import { projectionConformance, rejectsWith, storedEvent } from '../../src/testing/index.js'

const dir = mkdtempSync(join(tmpdir(), 'eventfold-sqlite-projections-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0
const file = () => join(dir, `p${++files}.db`)

const v1 = { name: 'kennel', version: 1 }
const put = (key: string, data: JsonValue, fields?: Record<string, string>): DocumentChange => ({
  _tag: 'Put',
  document: { key, type: 'Dog', schemaVersion: 1, data, ...(fields ? { fields } : {}) },
})

describe('SQLite projection conformance (in memory)', () => {
  for (const c of projectionConformance(() => createSqliteRecorder())) it(c.name, c.run)
})

describe('SQLite projection conformance (file, WAL)', () => {
  for (const c of projectionConformance(() => createSqliteRecorder({ path: file() }))) it(c.name, c.run)
})

/** A recorder with a user table `tricks` that a SQL projection fills. */
const withTricks = (path?: string) => {
  const recorder = createSqliteRecorder(path === undefined ? {} : { path })
  recorder.db.exec('CREATE TABLE IF NOT EXISTS tricks (dog TEXT NOT NULL, trick TEXT NOT NULL) STRICT')
  const learn = (dog: string, trick: string) => (db: Database.Database) =>
    db.prepare('INSERT INTO tricks (dog, trick) VALUES (?, ?)').run(dog, trick)
  const tricks = () => recorder.db.prepare('SELECT dog, trick FROM tricks ORDER BY rowid').all()
  const position = async () => (await recorder.selectProjections('kennel'))[0]?.position
  return { recorder, learn, tricks, position }
}

describe('SQLite SQL projections', () => {
  it("commits the user's writes with the batch's documents and position", async () => {
    const { recorder, learn, tricks, position } = withTricks()
    await recorder.registerProjection(v1)
    await recorder.commitSqlProjection(v1, { from: 0, to: 2, changes: [put('rex', 1)] }, learn('rex', 'sit'))
    expect(tricks()).toEqual([{ dog: 'rex', trick: 'sit' }])
    expect(await position()).toBe(2)
    expect((await recorder.selectDocuments(v1, ['rex'])).get('rex')?.data).toBe(1)
    await recorder.close()
  })

  it("a TrackingConflict stores nothing: not the documents, nor the user's writes", async () => {
    const path = file()
    const a = withTricks(path)
    const b = withTricks(path)
    await a.recorder.registerProjection(v1)
    await a.recorder.commitSqlProjection(v1, { from: 0, to: 1 }, a.learn('rex', 'sit'))
    // Another instance, on its own connection, still believes the position is 0.
    await rejectsWith('TrackingConflict', () =>
      b.recorder.commitSqlProjection(
        v1,
        { from: 0, to: 1, changes: [put('fido', 1)] },
        b.learn('fido', 'beg'),
      ),
    )
    expect(b.tricks()).toEqual([{ dog: 'rex', trick: 'sit' }])
    expect((await b.recorder.selectDocuments(v1, ['fido'])).size).toBe(0)
    expect(await b.position()).toBe(1)
    await a.recorder.close()
    await b.recorder.close()
  })

  it("a write that throws rolls back the batch, and the user's writes before the throw", async () => {
    const { recorder, learn, tricks, position } = withTricks()
    await recorder.registerProjection(v1)
    const failing = (db: Database.Database) => {
      learn('rex', 'sit')(db)
      throw new Error('the projection failed')
    }
    const batch: ProjectionBatch = {
      from: 0,
      to: 3,
      changes: [put('rex', 1)],
      deadLetters: [{ notificationId: 2, streamId: 'dog-rex', version: 1, code: 'X', message: 'x' }],
    }
    await expect(recorder.commitSqlProjection(v1, batch, failing)).rejects.toThrow('the projection failed')
    expect(tricks()).toEqual([])
    expect(await position()).toBe(0)
    expect((await recorder.selectDocuments(v1, ['rex'])).size).toBe(0)
    expect(await recorder.selectDeadLetters(v1)).toEqual([])
    await recorder.close()
  })

  it('rejects an async write with InvalidArgument and rolls back what it wrote before its first await', async () => {
    const { recorder, learn, tricks, position } = withTricks()
    await recorder.registerProjection(v1)
    const error = await rejectsWith('InvalidArgument', () =>
      recorder.commitSqlProjection(v1, { from: 0, to: 1, changes: [put('rex', 1)] }, async (db) => {
        learn('rex', 'sit')(db)
      }),
    )
    expect(error.message).toMatch(/must be synchronous/)
    expect(tricks()).toEqual([])
    expect(await position()).toBe(0)
    expect((await recorder.selectDocuments(v1, ['rex'])).size).toBe(0)
    await recorder.close()
  })
})

describe('SQLite projection documents', () => {
  it('commits a batch of 5,000 changes in one call; the last change of a key wins', async () => {
    const recorder = createSqliteRecorder({ path: file() })
    await recorder.registerProjection(v1)
    // 4,000 new documents, then 1,000 changes of the first 1,000: even ones deleted, odd ones put again.
    const changes = Array.from({ length: 5000 }, (_, i): DocumentChange => {
      const key = `dog-${String(i % 4000).padStart(4, '0')}`
      if (i < 4000) return put(key, { i }, { size: i % 2 === 0 ? 'S' : 'L', colour: 'brown' })
      return i % 2 === 0 ? { _tag: 'Delete', key } : put(key, 'again', { size: 'M' })
    })
    await recorder.commitProjection(v1, { from: 0, to: 5000, changes })
    const all = await recorder.readDocuments('kennel', 1, {})
    expect(all?.documents).toHaveLength(3500)
    expect(all?.documents[0]).toEqual({
      key: 'dog-0001',
      type: 'Dog',
      schemaVersion: 1,
      data: 'again',
      fields: { size: 'M' },
    })
    const medium = await recorder.readDocuments('kennel', 1, { where: { field: 'size', value: 'M' } })
    expect(medium?.documents).toHaveLength(500)
    const brown = await recorder.readDocuments('kennel', 1, { where: { field: 'colour', value: 'brown' } })
    expect(brown?.documents).toHaveLength(3000)
    expect((await recorder.selectProjections('kennel'))[0]?.position).toBe(5000)
    await recorder.close()
  })

  it('reads keys in byte order (UTF-8, as SQLite compares them), pages after a key, and dates are Dates', async () => {
    const recorder = createSqliteRecorder()
    const status = await recorder.registerProjection(v1)
    expect(status.updatedAt).toBeInstanceOf(Date)
    expect(Number.isNaN(status.updatedAt?.getTime())).toBe(false)
    const keys = ['\u{1F415}', '\uFFFD', 'é', 'b', 'B', 'a']
    await recorder.commitProjection(v1, { from: 0, to: 1, changes: keys.map((k) => put(k, k)) })
    const read = async (after?: string) =>
      (await recorder.readDocuments('kennel', 1, after === undefined ? {} : { after }))?.documents.map(
        (d) => d.key,
      )
    expect(await read()).toEqual(['B', 'a', 'b', 'é', '\uFFFD', '\u{1F415}'])
    expect(await read('é')).toEqual(['\uFFFD', '\u{1F415}'])
    // Keys asked for come back in the order asked, those after `after` only.
    const asked = await recorder.readDocuments('kennel', 1, {
      keys: ['b', 'a', 'B', 'x'],
      after: 'B',
      limit: 5,
    })
    expect(asked?.documents.map((d) => d.key)).toEqual(['b', 'a'])
    await recorder.close()
  })

  it('keeps its tables under the recorder prefix and drops every row of a version', async () => {
    const recorder = createSqliteRecorder({ prefix: 'shop_' })
    const tables = recorder.db
      .prepare<[], string>(
        `SELECT name FROM sqlite_master WHERE name LIKE 'shop\\_%' ESCAPE '\\' ORDER BY name`,
      )
      .pluck()
      .all()
    expect(tables).toEqual(
      expect.arrayContaining(['shop_projections', 'shop_documents', 'shop_document_fields']),
    )
    expect(tables).toEqual(expect.arrayContaining(['shop_document_fields_value', 'shop_dead_letters']))
    await recorder.registerProjection(v1)
    const letter = { notificationId: 1, streamId: 's', version: 1, code: 'X', message: 'x' }
    await recorder.commitProjection(v1, {
      from: 0,
      to: 1,
      changes: [put('k', 1, { f: 'v' })],
      deadLetters: [letter],
    })
    await recorder.dropProjection(v1)
    for (const table of ['projections', 'documents', 'document_fields', 'dead_letters'])
      expect(recorder.db.prepare(`SELECT count(*) AS n FROM shop_${table}`).get()).toEqual({ n: 0 })
    await recorder.close()
  })
})

/** The tables exactly as release 0.2 (schema version 2) created them, with one event in them. */
const release02 = (path: string) => {
  const db = new Database(path)
  db.exec(`CREATE TABLE "eventfold_events" (notification_id INTEGER PRIMARY KEY, stream_id TEXT NOT NULL,
    version INTEGER NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL, data BLOB NOT NULL,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), UNIQUE (stream_id, version)) STRICT;
    CREATE TABLE "eventfold_tracking" (upstream TEXT NOT NULL, notification_id INTEGER NOT NULL,
      PRIMARY KEY (upstream, notification_id)) STRICT, WITHOUT ROWID;
    CREATE TABLE "eventfold_snapshots" (stream_id TEXT NOT NULL, version INTEGER NOT NULL, type TEXT NOT NULL,
      schema_version INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (stream_id, version)) STRICT, WITHOUT ROWID;
    CREATE TABLE "eventfold_data_keys" (subject TEXT PRIMARY KEY, wrapped BLOB NOT NULL) STRICT, WITHOUT ROWID;
    CREATE TABLE "eventfold_schema_versions" (version INTEGER PRIMARY KEY,
      applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))) STRICT;
    ALTER TABLE "eventfold_events" ADD COLUMN event_id TEXT;
    ALTER TABLE "eventfold_events" ADD COLUMN metadata TEXT;
    CREATE UNIQUE INDEX "eventfold_events_event_id" ON "eventfold_events" (event_id);
    INSERT INTO "eventfold_schema_versions" (version) VALUES (1), (2);
    INSERT INTO "eventfold_events" (notification_id, stream_id, version, type, schema_version, data, event_id)
      VALUES (1, 'old', 1, 'Happened', 1, X'7B7D', '0190a000-0000-7000-8000-000000000001');`)
  db.close()
}

const versions = (path: string): unknown[] => {
  const db = new Database(path, { readonly: true })
  const found = db.prepare('SELECT version FROM "eventfold_schema_versions" ORDER BY version').pluck().all()
  db.close()
  return found
}

describe('SQLite schema version 3', () => {
  it('is this release', () => expect(LATEST_SCHEMA).toBe(3))

  it('migrates a database of release 0.2 when it opens: old events read, projections work', async () => {
    const path = file()
    release02(path)
    const recorder = createSqliteRecorder({ path })
    expect(versions(path)).toEqual([1, 2, 3])
    expect((await recorder.selectNotifications(1, 10)).map((n) => n.streamId)).toEqual(['old'])
    expect(await recorder.insertEvents([storedEvent('new', 1)])).toEqual([2])
    await recorder.registerProjection(v1)
    await recorder.commitProjection(v1, { from: 0, to: 2, changes: [put('k', 1)] })
    await recorder.close()
    const again = createSqliteRecorder({ path, createTables: false })
    expect((await again.readDocuments('kennel', 1, {}))?.documents.map((d) => d.data)).toEqual([1])
    await again.close()
  })

  it('migrates with `migrate` from 2 to 3, idempotently (a migration cut short runs again)', async () => {
    const path = file()
    release02(path)
    expect(() => createSqliteRecorder({ path, createTables: false })).toThrow(/SchemaMissing/)
    expect(migrate({ path })).toMatchObject({ from: 2, to: 3 })
    expect(migrate({ path })).toEqual({ from: 3, to: 3, statements: [] })
    const first = createSqliteRecorder({ path, createTables: false })
    await first.registerProjection(v1)
    await first.commitProjection(v1, { from: 0, to: 1, changes: [put('k', 1, { f: 'v' })] })
    // As if the tables had been created but the version not recorded: version 3 runs again over them.
    first.db.exec('DELETE FROM "eventfold_schema_versions" WHERE version = 3')
    await first.close()
    expect(migrate({ path })).toMatchObject({ from: 2, to: 3 })
    const second = createSqliteRecorder({ path, createTables: false })
    const read = await second.readDocuments('kennel', 1, { where: { field: 'f', value: 'v' } })
    expect(read?.documents.map((d) => d.key)).toEqual(['k'])
    await second.close()
  })
})
