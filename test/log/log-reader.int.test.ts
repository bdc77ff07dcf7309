import { createPostgresRecorder } from 'eventfold/store/postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { storedEvent } from '../../src/testing/index.js'
import { drain, followWhileWriting } from '../support/log-checks.js'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'

describe.skipIf(skipPostgres)('following the log (PostgreSQL)', () => {
  const schema = freshSchema()
  const reader = createPostgresRecorder({ url: databaseUrl ?? '', schema })
  const writer = createPostgresRecorder({ url: databaseUrl ?? '', schema })
  afterAll(async () => {
    await reader.close()
    await writer.close()
  })

  it('is woken through LISTEN/NOTIFY by a writer in another pool, and delivers every event once, in order', async () => {
    const seen = await followWhileWriting(reader, writer, 45, 600_000)
    expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => i + 1))
  })

  it('filters by type across pages', async () => {
    await writer.insertEvents([1, 2, 3].map((v) => storedEvent('typed', v, v === 2 ? 'Rare' : 'Common')))
    const batches = await drain(reader, { types: ['Rare'], after: 45 })
    expect(batches.flatMap((b) => b.notifications.map((n) => n.type))).toEqual(['Rare'])
    expect(batches.at(-1)?.position).toBe(48)
  })
})
