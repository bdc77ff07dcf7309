// Runs once before the tests: decides whether PostgreSQL suites run, skip, or fail the run.

import postgres from 'postgres'

/** The servers beside DATABASE_URL, each needed by one suite: through PgBouncer, and as a restricted role. */
const others = [
  { variable: 'PGBOUNCER_URL', suite: 'test/store/pgbouncer.int.test.ts' },
  { variable: 'RESTRICTED_DATABASE_URL', suite: 'test/store/least-privilege.int.test.ts' },
] as const

const hint = 'start the servers with `eval "$(npm run -s db:up)"` (or: bash .ci/run)'

/** The server's version, or a thrown error saying which variable leads nowhere. */
const reach = async (variable: string, url: string): Promise<string> => {
  const sql = postgres(url, { max: 1, connect_timeout: 10, prepare: false, onnotice: () => {} })
  try {
    const [row] = await sql<{ version: string }[]>`select version()`
    return row?.version.split(',')[0] ?? 'PostgreSQL'
  } catch (error) {
    throw new Error(`${variable} is set but PostgreSQL cannot be reached through it: ${String(error)}`)
  } finally {
    await sql.end()
  }
}

export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL
  const required = process.env.REQUIRE_POSTGRES === '1'
  if (!url) {
    if (required) throw new Error(`REQUIRE_POSTGRES=1 but DATABASE_URL is not set: ${hint}`)
    console.log(
      '\n[eventfold] PostgreSQL suites (*.int.test.ts) are SKIPPED: no DATABASE_URL.\n' +
        '            Run them with: eval "$(npm run -s db:up)" && npm test   (or: bash .ci/run)\n',
    )
    return
  }
  console.log(`\n[eventfold] PostgreSQL suites run against ${await reach('DATABASE_URL', url)}\n`)
  for (const { variable, suite } of others) {
    const other = process.env[variable]
    if (other) await reach(variable, other)
    else if (required) throw new Error(`REQUIRE_POSTGRES=1 but ${variable} is not set: ${hint}`)
    else console.log(`[eventfold] ${suite} is SKIPPED: no ${variable}; ${hint}\n`)
  }
}
