// A real PostgreSQL server answers through the `postgres` package: proves the CI database path.

import postgres from 'postgres'
import { afterAll, describe, expect, it } from 'vitest'
import { databaseUrl, skipPostgres } from '../support/postgres.js'

describe.skipIf(skipPostgres)('PostgreSQL smoke test', () => {
  const sql = postgres(databaseUrl ?? '', { max: 2, onnotice: () => {} })
  afterAll(() => sql.end())

  it('round-trips bytes through a table in a transaction', async () => {
    const payload = new TextEncoder().encode('{"name":"Fido"}')
    const rows = await sql.begin(async (tx) => {
      await tx`create temporary table smoke (id bigserial primary key, data bytea not null) on commit drop`
      await tx`insert into smoke (data) values (${payload}), (${payload})`
      return tx<{ id: string; data: Uint8Array }[]>`select id, data from smoke order by id`
    })
    expect(rows.map((r) => Number(r.id))).toEqual([1, 2])
    expect(new TextDecoder().decode(rows[0]?.data)).toBe('{"name":"Fido"}')
  })

  it('reports a unique violation with its SQLSTATE', async () => {
    const failed = await sql
      .begin(async (tx) => {
        await tx`create temporary table smoke_u (k text primary key) on commit drop`
        await tx`insert into smoke_u values ('a')`
        await tx`insert into smoke_u values ('a')`
      })
      .catch((error: { code?: string }) => error.code)
    expect(failed).toBe('23505')
  })
})
