// PostgreSQL schema management: tables of release 0.1 are migrated (or refused with SchemaMissing
// when the recorder may not create tables), racing processes migrate once, the printed script works.

import {
  createPostgresRecorder,
  LATEST_SCHEMA,
  migrate,
  migrationScript,
  namesOf,
  schemaVersion,
} from 'eventfold/store/postgres'
import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { storedEvent } from '../../src/testing/index.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

const url = databaseUrl ?? ''
const owner = skipPostgres ? undefined : postgres(url, { max: 1, onnotice: () => {} })
afterAll(() => owner?.end())

/** The tables as release 0.1 created them (and its append function), with one event. */
const release01 = async (schema: string) => {
  const sql = owner as postgres.Sql
  const n = namesOf(schema, 'eventfold_')
  await sql
    .unsafe(`CREATE SCHEMA ${n.schema};
    CREATE TABLE ${n.events} (notification_id bigint PRIMARY KEY, stream_id text NOT NULL, version bigint NOT NULL,
      type text NOT NULL, schema_version integer NOT NULL, data bytea NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(), UNIQUE (stream_id, version));
    CREATE TABLE ${n.tracking} (upstream text NOT NULL, notification_id bigint NOT NULL, PRIMARY KEY (upstream, notification_id));
    CREATE TABLE ${n.snapshots} (stream_id text NOT NULL, version bigint NOT NULL, type text NOT NULL,
      schema_version integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (stream_id, version));
    CREATE TABLE ${n.keys} (subject text PRIMARY KEY, wrapped bytea NOT NULL);
    CREATE FUNCTION ${n.appendChecked}(integer[], text[], bigint[], text[], integer[], bytea, integer[], integer[], text[], bigint[])
      RETURNS integer LANGUAGE sql AS 'SELECT 1';
    INSERT INTO ${n.events} (notification_id, stream_id, version, type, schema_version, data) VALUES (1, 'old', 1, 'Happened', 1, '\\x7b7d');`)
    .simple()
  return n
}

describe.skipIf(skipPostgres)('PostgreSQL schema management', () => {
  it('refuses missing or release-0.1 tables with SchemaMissing when it may not create tables', async () => {
    const schema = freshSchema()
    await release01(schema)
    for (const s of [schema, freshSchema()]) {
      const recorder = createPostgresRecorder({ url, schema: s, createTables: false })
      await expect(recorder.maxNotificationId()).rejects.toMatchObject({
        code: 'SchemaMissing',
        message: expect.stringMatching(/npx eventfold migrate/),
      })
      await recorder.close()
    }
  })

  it('migrates tables of release 0.1: old rows keep reading (no event id), new ones get one', async () => {
    const schema = freshSchema()
    const n = await release01(schema)
    expect(await schemaVersion(owner as postgres.Sql, n)).toBe(1)
    expect(await migrate({ url, schema })).toMatchObject({ from: 1, to: LATEST_SCHEMA })
    expect(await migrate({ url, schema })).toEqual({ from: LATEST_SCHEMA, to: LATEST_SCHEMA, statements: [] })
    const recorder = createPostgresRecorder({ url, schema, createTables: false })
    await recorder.insertEvents([storedEvent('old', 2), storedEvent('new', 1)])
    const [old, ...fresh] = await recorder.selectNotifications(1, 10)
    expect(old?.eventId).toBeUndefined()
    expect(fresh.map((e) => e.eventId)).toEqual([expect.any(String), expect.any(String)])
    const functions =
      await recorder.sql`select count(*)::int as n from pg_proc where proname = 'eventfold_append_checked'
      and pronamespace = ${schema}::regnamespace`
    expect(functions[0]?.n).toBe(1) // release 0.1's append function was replaced, not overloaded
    await recorder.close()
  })

  it('migrates once when several recorders start on an empty schema at the same time', async () => {
    const schema = freshSchema()
    const recorders = Array.from({ length: 5 }, () => createPostgresRecorder({ url, schema, max: 1 }))
    await Promise.all(recorders.map((r, i) => r.insertEvents([storedEvent(`s${i}`, 1)])))
    const rows = await (owner as postgres.Sql).unsafe(
      `select version from "${schema}".eventfold_schema_versions order by 1`,
    )
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: LATEST_SCHEMA }, (_, i) => i + 1))
    expect(await recorders[0]?.maxNotificationId()).toBe(5)
    for (const r of recorders) await r.close()
  })

  it('prints one idempotent script that takes any earlier version to the current one', async () => {
    for (const start of ['empty', 'release 0.1'] as const) {
      const schema = freshSchema()
      if (start === 'release 0.1') await release01(schema)
      const script = migrationScript(namesOf(schema, 'eventfold_'))
      await (owner as postgres.Sql).unsafe(script).simple()
      await (owner as postgres.Sql).unsafe(script).simple()
      const recorder = createPostgresRecorder({ url, schema, createTables: false })
      await recorder.insertEvents([storedEvent('s', start === 'empty' ? 1 : 2)])
      expect(await schemaVersion(recorder.sql, recorder.names)).toBe(LATEST_SCHEMA)
      await recorder.close()
    }
  })

  it('refuses a schema newer than this release with SchemaTooNew', async () => {
    const schema = freshSchema()
    await migrate({ url, schema })
    await (owner as postgres.Sql).unsafe(
      `insert into "${schema}".eventfold_schema_versions (version) values (99)`,
    )
    const recorder = createPostgresRecorder({ url, schema })
    await expect(recorder.maxNotificationId()).rejects.toMatchObject({ code: 'SchemaTooNew' })
    await recorder.close()
  })
})
