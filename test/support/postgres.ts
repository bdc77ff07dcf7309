// Where the PostgreSQL suites find their server: DATABASE_URL, set by `npm run db:up` or .ci/run.

/** The connection string of the test server, or undefined when PostgreSQL suites must skip. */
export const databaseUrl: string | undefined = process.env.DATABASE_URL || undefined

/** True when the PostgreSQL suites must skip (no DATABASE_URL and REQUIRE_POSTGRES is not set). */
export const skipPostgres: boolean = databaseUrl === undefined

let schemas = 0

/** A schema name no other test in this run uses, so each recorder starts from empty tables. */
export const freshSchema = (): string => `t_${process.pid}_${Date.now().toString(36)}_${++schemas}`
