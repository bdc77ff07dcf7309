// A statement timeout inside an SQL projection is no entry's fault: the projection stops with it,
// whatever its poison policy, and sets nothing aside.

import { createNotificationLog } from 'eventfold/log'
import { createSqlProjection, sqlProjection } from 'eventfold/runners'
import type { Notification } from 'eventfold/store'
import { createPostgresRecorder, type PostgresTransaction } from 'eventfold/store/postgres'
import { describe, expect, it } from 'vitest'
import { storedEvent } from '../../src/testing/index.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

describe.skipIf(skipPostgres)('an SQL projection whose statement times out', () => {
  it('stops with Timeout under the dead-letter policy and keeps no dead letter', async () => {
    const recorder = createPostgresRecorder({
      url: databaseUrl ?? '',
      schema: freshSchema(),
      statementTimeoutMs: 100,
    })
    await recorder.insertEvents([storedEvent('order-o1', 1), storedEvent('order-o2', 1)])
    const view = createSqlProjection({
      source: {
        name: 'orders',
        log: createNotificationLog(recorder),
        decode: async (notifications: readonly Notification[]) =>
          notifications.map((notification) => ({ notification })),
      },
      store: recorder,
      poison: 'dead-letter',
      projection: sqlProjection<PostgresTransaction, { readonly notification: Notification }>({
        name: 'slow',
        handle: async (tx, entries) => {
          for (const _ of entries) await tx`select pg_sleep(0.5)`
        },
      }),
    })
    await expect(view.catchUp()).rejects.toMatchObject({ code: 'Timeout' })
    expect(await view.deadLetters()).toEqual([])
    expect((await view.lag()).position).toBe(0)
    await recorder.close()
  })
})
