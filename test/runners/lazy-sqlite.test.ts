// A SQLite store chosen through the environment refuses an async SQL projection up front, as a SQLite recorder does.

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { application } from 'eventfold/application'
import { createSqlProjection, sqlProjection } from 'eventfold/runners'
import type { SqlProjectionRecorder } from 'eventfold/store'
import { expect, it } from 'vitest'
import { dogs } from '../../examples/dog-school/dog-school.js'

type Db = import('better-sqlite3').Database

it('an async SQL projection on the SQLite store the environment chooses is refused up front, as on a SQLite recorder', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'eventfold-lazy-')), 'db.sqlite')
  const app = application({
    name: 'school',
    aggregates: [dogs],
    env: { EVENTFOLD_PERSISTENCE: 'sqlite', EVENTFOLD_SQLITE_PATH: path },
  })
  await app.execute(dogs, 'fido', { type: 'RegisterDog', name: 'fido' })
  let db: Db | undefined
  const make = () =>
    createSqlProjection({
      source: app,
      store: app.recorder as unknown as SqlProjectionRecorder<Db>,
      projection: sqlProjection<Db, unknown>({
        name: 'leaky',
        handle: async (tx, entries) => {
          db = tx
          await null
          tx.exec('CREATE TABLE IF NOT EXISTS leaky (n INTEGER)')
          for (const _ of entries) tx.prepare('INSERT INTO leaky VALUES (1)').run()
        },
      }),
    })
  let refused: unknown
  try {
    const projection = make()
    await projection.catchUp().catch((error: unknown) => console.log('catchUp failed:', String(error)))
  } catch (error) {
    refused = error
  }
  const leaked = db ? (db.prepare('SELECT count(*) AS n FROM leaky').get() as { n: number }).n : 0
  const status = await (app.recorder as unknown as SqlProjectionRecorder<Db>).selectProjections('leaky')
  console.log(
    `refused up front: ${String(refused)}; rows written outside any batch: ${leaked}; position ${status[0]?.position}`,
  )
  await app.close()
  expect(refused).toMatchObject({ code: 'InvalidConfiguration' })
  expect(leaked).toBe(0)
})
