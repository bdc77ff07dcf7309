// `eventfold migrate`, run as a child process the way a user runs it, on SQLite and PostgreSQL.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createPostgresRecorder } from 'eventfold/store/postgres'
import { createSqliteRecorder } from 'eventfold/store/sqlite'
import { afterAll, describe, expect, it } from 'vitest'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'eventfold-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs the command line with `args` and only the given environment (plus PATH). */
const eventfold = (args: readonly string[], env: Record<string, string>) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

describe('eventfold migrate on SQLite', () => {
  const env = { EVENTFOLD_PERSISTENCE: 'sqlite', EVENTFOLD_SQLITE_PATH: join(dir, 'shop.db') }

  it('prints the statements, creates the tables, then finds them current', async () => {
    const printed = eventfold(['migrate', '--app', 'shop', '--print'], env)
    expect(printed).toMatchObject({ code: 0 })
    expect(printed.out).toMatch(/CREATE TABLE IF NOT EXISTS "shop_events"/)
    expect(eventfold(['migrate', '--app', 'shop'], env)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/shop: sqlite schema migrated from version 0 to 3/),
    })
    expect(eventfold(['migrate', '--app', 'shop', '--json'], env).out).toMatch(/"applied":false/)
    const recorder = createSqliteRecorder({
      path: env.EVENTFOLD_SQLITE_PATH,
      prefix: 'shop_',
      createTables: false,
    })
    expect(await recorder.maxNotificationId()).toBe(0)
    await recorder.close()
  })

  it('exits 2 with the usage on bad arguments, 1 with the error code on bad configuration', () => {
    expect(eventfold(['migrate'], env)).toMatchObject({
      code: 2,
      err: expect.stringMatching(/usage: eventfold/),
    })
    expect(eventfold(['migrate', '--app', 'shop', '--nope'], env)).toMatchObject({ code: 2 })
    expect(eventfold(['migrate', '--app', 'shop'], {})).toMatchObject({
      code: 1,
      err: expect.stringMatching(/EVENTFOLD_PERSISTENCE says memory/),
    })
    expect(eventfold(['migrate', '--app', 'shop'], { EVENTFOLD_PERSISTENCE: 'postgres' })).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^InvalidConfiguration: .*DATABASE_URL/),
    })
  })
})

describe.skipIf(skipPostgres)('eventfold migrate on PostgreSQL', () => {
  it('creates the tables so that a recorder that may not create them works', async () => {
    const schema = freshSchema()
    const env = {
      EVENTFOLD_PERSISTENCE: 'postgres',
      DATABASE_URL: databaseUrl ?? '',
      EVENTFOLD_PG_SCHEMA: schema,
    }
    expect(eventfold(['migrate', '--app', 'bank', '--print'], env).out).toMatch(/^BEGIN;/)
    expect(eventfold(['migrate', '--app', 'bank'], env)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/bank: postgres schema migrated from version 0 to 3/),
    })
    expect(eventfold(['migrate', '--app', 'bank'], env).out).toMatch(/schema is current/)
    const recorder = createPostgresRecorder({
      url: databaseUrl ?? '',
      schema,
      prefix: 'bank_',
      createTables: false,
    })
    expect(await recorder.maxNotificationId()).toBe(0)
    await recorder.close()
  })
})
