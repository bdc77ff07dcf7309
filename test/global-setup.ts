// Runs once before the tests: decides whether PostgreSQL suites run, skip, or fail the run.

import postgres from 'postgres'

export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL
  const required = process.env.REQUIRE_POSTGRES === '1'
  if (!url) {
    if (required)
      throw new Error('REQUIRE_POSTGRES=1 but DATABASE_URL is not set: start a server with `npm run db:up`')
    console.log(
      '\n[eventfold] PostgreSQL suites (*.int.test.ts) are SKIPPED: no DATABASE_URL.\n' +
        '            Run them with: eval "$(npm run -s db:up)" && npm test   (or: bash .ci/run)\n',
    )
    return
  }
  const sql = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} })
  try {
    const [row] = await sql<{ version: string }[]>`select version()`
    console.log(`\n[eventfold] PostgreSQL suites run against ${row?.version.split(',')[0]}\n`)
  } catch (error) {
    throw new Error(`DATABASE_URL is set but PostgreSQL cannot be reached: ${String(error)}`)
  } finally {
    await sql.end()
  }
}
