import { createPostgresRecorder } from 'eventfold/store/postgres'
import { describe, it } from 'vitest'
import { databaseUrl, freshSchema, skipPostgres } from '../support/postgres.js'
import { runsConcurrently, settlesExactlyOnce } from '../support/shop-checks.js'

describe.skipIf(skipPostgres)('the shop system on PostgreSQL', () => {
  const make = () => createPostgresRecorder({ url: databaseUrl ?? '', schema: freshSchema(), max: 4 })
  it('settles in one thread, each notification processed exactly once', () => settlesExactlyOnce(make))
  it('runs its followers concurrently, woken through LISTEN/NOTIFY', () => runsConcurrently(make, 40))
})
