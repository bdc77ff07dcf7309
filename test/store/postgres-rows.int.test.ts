// PostgreSQL rows read in four columns give back exactly what the driver's own parsing gave.

import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, expect, it } from 'vitest'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

describe.skipIf(skipPostgres)('PostgreSQL rows in four columns', () => {
  it('times before 1970 and sub-millisecond times read as the driver read them', async () => {
    const recorder = createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema() })
    try {
      const data = new TextEncoder().encode('{}')
      const times = [
        '1969-12-31 23:59:59.9995+00',
        '1969-07-20 20:17:40.123456+00',
        '1900-01-01 00:00:00.000001+00',
        '2024-05-01 12:00:00.999999+00',
        '2262-04-11 23:47:16.854775+00',
      ]
      await recorder.insertEvents(
        times.map((_, i) => ({ streamId: 's', version: i + 1, type: 'T', schemaVersion: 1, data })),
      )
      for (const [i, t] of times.entries())
        await recorder.sql.unsafe(
          `update ${recorder.names.events} set recorded_at = $1::timestamptz where version = $2`,
          [t, i + 1],
        )
      const viaDriver = await recorder.sql<{ recorded_at: Date }[]>`
        select recorded_at from ${recorder.sql.unsafe(recorder.names.events)} order by version`
      const read = await recorder.selectNotifications(1, 10)
      const byStream = await recorder.selectEvents('s')
      expect(read.map((n) => n.recordedAt?.toISOString())).toEqual(
        viaDriver.map((r) => r.recorded_at.toISOString()),
      )
      expect(byStream.map((n) => n.recordedAt?.toISOString())).toEqual(
        viaDriver.map((r) => r.recorded_at.toISOString()),
      )
    } finally {
      await recorder.close()
    }
  })
})
