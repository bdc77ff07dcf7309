// The PostgreSQL recorder as a role that can create nothing, after the owner migrated with grants;
// a missing schema is a typed SchemaMissing; a current schema gets no DDL on start, from anyone.

import { createNotificationLog } from 'eventfold/log'
import { createSqlProjection, sqlProjection } from 'eventfold/runners'
import { isEventfoldError, type Notification } from 'eventfold/store'
import {
  applyMigrations,
  createPostgresRecorder,
  LATEST_SCHEMA,
  migrate,
  migrationScript,
  namesOf,
  type PostgresRecorder,
  type PostgresTransaction,
  schemaVersion,
} from 'eventfold/store/postgres'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recorderConformance, storedEvent } from '../../src/testing/index.js'
import {
  databaseUrl,
  freshSchema,
  restrictedRole,
  restrictedUrl,
  skipRestricted,
} from '../support/postgres.js'

const prefix = 'eventfold_'

/** The database's owner, who migrates; connected once for the whole file. */
let owner: postgres.Sql
beforeAll(() => {
  if (!skipRestricted) owner = postgres(databaseUrl ?? '', { max: 2, onnotice: () => {} })
})
afterAll(() => owner?.end())

/** A fresh schema, migrated by the owner with the grants for the restricted role. */
const migratedSchema = async (): Promise<string> => {
  const schema = freshSchema()
  const report = await applyMigrations(owner, namesOf(schema, prefix), restrictedRole)
  expect(report).toMatchObject({ from: 0, to: LATEST_SCHEMA })
  return schema
}

const restricted = (schema: string, createTables?: boolean): PostgresRecorder =>
  createPostgresRecorder({
    url: restrictedUrl ?? '',
    schema,
    ...(createTables === undefined ? {} : { createTables }),
    max: 2,
  })

/** Every statement a recorder sends, seen through the driver's debug hook (set before its first query). */
const recorded = (recorder: PostgresRecorder): string[] => {
  const statements: string[] = []
  recorder.sql.options.debug = (_connection, query) => {
    statements.push(query)
  }
  return statements
}

const DDL = /^\s*(create|alter|drop|grant|revoke|comment|truncate)\b/i

/** What the recorder's first use throws, or undefined when it works. */
const firstUse = (recorder: PostgresRecorder): Promise<unknown> =>
  recorder.maxNotificationId().then(
    () => undefined,
    (error: unknown) => error,
  )

const schemaExists = async (schema: string): Promise<boolean> => {
  const [row] = await owner<{ found: boolean }[]>`
    select exists (select 1 from pg_namespace where nspname = ${schema}) as found`
  return row?.found ?? false
}

describe.skipIf(skipRestricted)('PostgreSQL recorder conformance as a role that can create nothing', () => {
  for (const c of recorderConformance(async () => restricted(await migratedSchema(), false)))
    it(c.name, c.run)
})

describe.skipIf(skipRestricted)('a role that can create nothing', () => {
  it('cannot create, by construction of the test server', async () => {
    const schema = await migratedSchema()
    const recorder = restricted(schema, false)
    await expect(recorder.sql.unsafe(`create table "${schema}".intruder (a int)`)).rejects.toMatchObject({
      code: '42501',
    })
    await expect(recorder.sql.unsafe('create schema intruder')).rejects.toMatchObject({ code: '42501' })
    await recorder.close()
  })

  it('with createTables: false, a schema never migrated is SchemaMissing naming `npx eventfold migrate`', async () => {
    const schema = freshSchema()
    const recorder = restricted(schema, false)
    const statements = recorded(recorder)
    const error = await firstUse(recorder)
    expect(isEventfoldError(error, 'SchemaMissing')).toBe(true)
    expect(String((error as Error).message)).toMatch(/npx eventfold migrate/)
    expect((error as { context?: unknown }).context).toMatchObject({ current: 0, latest: LATEST_SCHEMA })
    expect(statements.filter((s) => DDL.test(s))).toEqual([])
    await recorder.close()
    expect(await schemaExists(schema)).toBe(false)
  })

  it('with the default createTables, a schema never migrated is SchemaMissing too, not a raw permission error', async () => {
    const schema = freshSchema()
    const recorder = restricted(schema)
    const error = await firstUse(recorder)
    expect(isEventfoldError(error, 'SchemaMissing')).toBe(true)
    expect(String((error as Error).message)).toMatch(/npx eventfold migrate/)
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('42501') // permission denied, kept as the cause
    await recorder.close()
    expect(await schemaExists(schema)).toBe(false)
  })

  it('an empty schema the owner made and opened to it is SchemaMissing, with or without createTables', async () => {
    const schema = freshSchema()
    await owner.unsafe(`create schema "${schema}"`)
    await owner.unsafe(`grant usage on schema "${schema}" to ${restrictedRole}`)
    for (const createTables of [false, true]) {
      const recorder = restricted(schema, createTables)
      const error = await firstUse(recorder)
      expect(isEventfoldError(error, 'SchemaMissing'), String(error)).toBe(true)
      await recorder.close()
    }
  })

  it('on a current schema it starts without DDL, with or without createTables, and works', async () => {
    const schema = await migratedSchema()
    for (const createTables of [false, true]) {
      const recorder = restricted(schema, createTables)
      const statements = recorded(recorder)
      const ids = await recorder.insertEvents([storedEvent(`s${createTables}`, 1)])
      expect(ids).toEqual([createTables ? 2 : 1])
      expect(statements.length).toBeGreaterThan(0)
      expect(statements.filter((s) => DDL.test(s))).toEqual([])
      await recorder.close()
    }
  })

  it('works on a schema migrated by the script handed to a DBA (migrationScript with grants)', async () => {
    const schema = freshSchema()
    const names = namesOf(schema, prefix)
    const dba = postgres(databaseUrl ?? '', { max: 1, onnotice: () => {} }) // one session, as psql is
    await dba.unsafe(migrationScript(names, restrictedRole))
    await dba.end()
    expect(await schemaVersion(owner, names)).toBe(LATEST_SCHEMA)
    const recorder = restricted(schema, false)
    expect(await recorder.insertEvents([storedEvent('s', 1), storedEvent('s', 2)])).toEqual([1, 2])
    const lease = await recorder.acquireLease('follow a -> b')
    expect(lease).toBeDefined()
    await lease?.release()
    await recorder.close()
  })
})

describe.skipIf(skipRestricted)('the owner on a current schema', () => {
  /** What start-up could change: the version rows, and the catalog rows of the tables and function. */
  const footprint = async (schema: string) => {
    const names = namesOf(schema, prefix)
    const versions = await owner.unsafe(
      `select version, applied_at, xmin::text as xmin from ${names.versions} order by version`,
    )
    const catalog = await owner<{ name: string; xmin: string }[]>`
      select c.relname as name, c.xmin::text as xmin from pg_class c join pg_namespace s on s.oid = c.relnamespace
      where s.nspname = ${schema}
      union all
      select p.proname, p.xmin::text from pg_proc p join pg_namespace s on s.oid = p.pronamespace where s.nspname = ${schema}
      order by 1`
    return { versions: [...versions], catalog: [...catalog] }
  }

  it('sends DDL on a fresh schema (the statement log sees it)', async () => {
    const recorder = createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema(), max: 2 })
    const statements = recorded(recorder)
    await recorder.maxNotificationId()
    expect(statements.filter((s) => /^\s*create table/i.test(s)).length).toBeGreaterThan(0)
    await recorder.close()
  })

  it('sends no DDL on start with the default createTables, and leaves schema_versions and the catalog untouched', async () => {
    const schema = await migratedSchema()
    const before = await footprint(schema)
    expect(before.versions.map((v) => v.version)).toEqual(
      Array.from({ length: LATEST_SCHEMA }, (_, i) => i + 1),
    )
    const recorder = createPostgresRecorder({ url: databaseUrl ?? '', schema, max: 2 })
    const statements = recorded(recorder)
    expect(await recorder.insertEvents([storedEvent('s', 1)])).toEqual([1])
    expect(await recorder.maxNotificationId()).toBe(1)
    expect(statements.filter((s) => DDL.test(s))).toEqual([])
    await recorder.close()
    expect(await footprint(schema)).toEqual(before)
  })
})

describe.skipIf(skipRestricted)('a schema made by a DBA for an owner that may not create schemas', () => {
  it('is migrated by that owner (CREATE SCHEMA is not sent for a schema that exists)', async () => {
    const schema = freshSchema()
    await owner.unsafe(
      `CREATE SCHEMA "${schema}"; GRANT USAGE, CREATE ON SCHEMA "${schema}" TO "${restrictedRole}"`,
    )
    const report = await migrate({ url: restrictedUrl ?? '', schema })
    expect(report).toMatchObject({ from: 0, to: LATEST_SCHEMA })
    const recorder = restricted(schema, false)
    expect(await recorder.insertEvents([storedEvent('s', 1)])).toEqual([1])
    await recorder.close()
  })
})

describe.skipIf(skipRestricted)('an SQL projection run by a role that may not create its table', () => {
  it('stops with PermissionDenied at its first insert whatever its poison policy, and keeps no dead letter', async () => {
    const schema = await migratedSchema()
    // The owner made the view's table and granted nothing on it: each insert is refused, not the first statement.
    await owner.unsafe(`create table "${schema}".orders_view_v1 (id bigint primary key)`)
    const recorder = restricted(schema, false)
    await recorder.insertEvents([storedEvent('order-o1', 1), storedEvent('order-o2', 1)])
    const source = {
      name: 'orders',
      log: createNotificationLog(recorder),
      decode: async (notifications: readonly Notification[]) =>
        notifications.map((notification) => ({ notification })),
    }
    const view = createSqlProjection({
      source,
      store: recorder,
      poison: 'dead-letter',
      projection: sqlProjection<PostgresTransaction, { readonly notification: Notification }>({
        name: 'orders_view',
        handle: async (tx, entries) => {
          for (const { notification } of entries)
            await tx`insert into orders_view_v1 values (${notification.id})`
        },
      }),
    })
    await expect(view.catchUp()).rejects.toMatchObject({ code: 'PermissionDenied' })
    expect(await view.deadLetters()).toEqual([])
    expect(await view.lag()).toMatchObject({ position: 0, ready: false })
    await recorder.close()
  })
})
