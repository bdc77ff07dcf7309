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
