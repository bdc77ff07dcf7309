import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, expect, it } from 'vitest'
import { recorderConformance } from '../../src/testing/index.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

describe.skipIf(skipPostgres)('PostgreSQL recorder conformance', () => {
  for (const c of recorderConformance(() =>
    createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema() }),
  ))
    it(c.name, c.run)
})

describe.skipIf(skipPostgres)('PostgreSQL recorder sessions', () => {
  it('name the connection, bound lock waits and idle transactions, and keep commits synchronous', async () => {
    const recorder = createPostgresRecorder({
      url: databaseUrl ?? '',
      schema: freshSchema(),
      applicationName: 'dog_school',
      lockTimeoutMs: 1234,
    })
    const [row] = await recorder.sql<
      Record<string, string>[]
    >`select current_setting('application_name') as app,
      current_setting('lock_timeout') as lock, current_setting('idle_in_transaction_session_timeout') as idle,
      current_setting('synchronous_commit') as sync, current_setting('fsync') as fsync`
    expect(row).toEqual({ app: 'dog_school', lock: '1234ms', idle: '10s', sync: 'on', fsync: 'on' })
    await recorder.close()
  })

  it('refuses bad schema names and prefixes before any SQL runs', () => {
    expect(() => createPostgresRecorder({ url: databaseUrl ?? '', schema: 'Bad-Name' })).toThrow(
      /InvalidConfiguration/,
    )
    expect(() => createPostgresRecorder({ url: databaseUrl ?? '', prefix: 'x"; drop' })).toThrow(
      /InvalidConfiguration/,
    )
  })

  it('translates an unreachable server into ConnectionError', async () => {
    const recorder = createPostgresRecorder({ url: 'postgres://nobody@127.0.0.1:1/none', retryForMs: 200 })
    await expect(recorder.maxNotificationId()).rejects.toMatchObject({ code: 'ConnectionError' })
    await recorder.close()
  })
})

describe.skipIf(skipPostgres)('PostgreSQL recorder rows', () => {
  it('read back ids, versions, times to the millisecond, event ids (none on old rows) and metadata', async () => {
    const recorder = createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema() })
    const data = new TextEncoder().encode('{"n":1}')
    await recorder.insertEvents([
      { streamId: 'row 🐕', version: 1, type: 'Typed with spaces', schemaVersion: 7, data },
      { streamId: 'row 🐕', version: 2, type: 'T', schemaVersion: 1, data, metadata: { actor: 'ann' } },
    ])
    const { sql, names } = recorder
    await sql.unsafe(`update ${names.events} set event_id = null,
      recorded_at = '1969-12-31 23:59:58.9996+00' where version = 2`)
    const [first, second] = await recorder.selectEvents('row 🐕')
    const [row] = await sql.unsafe<{ at: Date }[]>(
      `select recorded_at as at from ${names.events} where version = 1`,
    )
    expect(first).toMatchObject({
      streamId: 'row 🐕',
      version: 1,
      type: 'Typed with spaces',
      schemaVersion: 7,
      id: 1,
    })
    expect(first?.recordedAt?.getTime()).toBe(row?.at.getTime())
    expect(first?.eventId).toMatch(/^[0-9a-f-]{36}$/)
    expect(first && 'metadata' in first).toBe(false)
    expect(second).toMatchObject({ version: 2, id: 2, metadata: { actor: 'ann' } })
    expect(second?.recordedAt?.toISOString()).toBe('1969-12-31T23:59:58.999Z')
    expect(second && 'eventId' in second).toBe(false)
    expect(await recorder.selectNotifications(1, 10)).toEqual([first, second])
    await recorder.close()
  })
})
