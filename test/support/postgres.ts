// Where the PostgreSQL suites find their servers: DATABASE_URL, and for the pooler and least-privilege
// suites PGBOUNCER_URL and RESTRICTED_DATABASE_URL — all set by `npm run db:up` or .ci/run.

/** The connection string of the test server, or undefined when PostgreSQL suites must skip. */
export const databaseUrl: string | undefined = process.env.DATABASE_URL || undefined

/** True when the PostgreSQL suites must skip (no DATABASE_URL and REQUIRE_POSTGRES is not set). */
export const skipPostgres: boolean = databaseUrl === undefined

/** The test server behind PgBouncer in transaction pool mode, as the owner of the database. */
export const pgbouncerUrl: string | undefined = process.env.PGBOUNCER_URL || undefined

/** True when the PgBouncer suites must skip (global setup fails the run instead when they are required). */
export const skipPgbouncer: boolean = skipPostgres || pgbouncerUrl === undefined

/** The test server as `eventfold_app`, a role that can connect and create nothing. */
export const restrictedUrl: string | undefined = process.env.RESTRICTED_DATABASE_URL || undefined

/** True when the least-privilege suites must skip (global setup fails the run instead when they are required). */
export const skipRestricted: boolean = skipPostgres || restrictedUrl === undefined

/** The role of `restrictedUrl`, to which migrations grant the tables. */
export const restrictedRole = 'eventfold_app'

let schemas = 0

/** A schema name no other test in this run uses, so each recorder starts from empty tables. */
export const freshSchema = (): string => `t_${process.pid}_${Date.now().toString(36)}_${++schemas}`
