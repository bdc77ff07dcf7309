// The PostgreSQL recorder's options, and the driver configuration they make: session settings,
// prompt reconnection (short connect timeout, bounded backoff) and what a transaction pooler allows.

/** How to reach PostgreSQL, where to keep the tables, and how to behave when the connection fails. */
export interface PostgresRecorderOptions {
  /** A connection string (its `sslmode` is honoured); without one, the standard PG* variables are used. */
  readonly url?: string
  /** The schema that holds the tables (default `public`). */
  readonly schema?: string
  /** A prefix for the table names (default `eventfold_`), e.g. one per application. */
  readonly prefix?: string
  /** The connection's `application_name` (default `eventfold`). */
  readonly applicationName?: string
  /** Most connections in the pool (default 10); one of them reads streams (when there are two or more). */
  readonly max?: number
  /** How long an append waits for the log lock before LockTimeout (default 10,000 ms). */
  readonly lockTimeoutMs?: number
  /** How long a transaction may sit idle before the server ends it (default 10,000 ms). */
  readonly idleInTransactionTimeoutMs?: number
  /** How long one statement may run before the server cancels it (default 0: no limit). */
  readonly statementTimeoutMs?: number
  /** How long connecting may take before it fails (default 5,000 ms). */
  readonly connectTimeoutMs?: number
  /** The longest pause between reconnection attempts (default 500 ms). */
  readonly maxBackoffMs?: number
  /**
   * How long an operation keeps trying after a transient failure (a dropped connection, a server
   * restarting, a deadlock) before it throws (default 10,000 ms). Reads run again; an append whose
   * outcome was lost is looked up by its event ids and sent again only if it was not committed.
   */
  readonly retryForMs?: number
  /**
   * How long an append waits for the server's reply before its outcome counts as unknown (default
   * 30,000 ms): it is then looked up by its event ids and sent again if it was not stored. This
   * bounds the wait on a connection cut off without a word (a network partition).
   */
  readonly replyTimeoutMs?: number
  /**
   * Create or migrate the tables when they are missing or older than this release (default true).
   * With false no DDL is ever sent: such a database is a SchemaMissing error (run `npx eventfold migrate`).
   */
  readonly createTables?: boolean
  /**
   * The URL leads to a transaction pooler such as PgBouncer in transaction mode (default false): no
   * prepared statements, no session settings (set timeouts on the role instead: ALTER ROLE … SET),
   * and no LISTEN — followers learn of other processes' commits by polling.
   */
  readonly transactionPooling?: boolean
  /** How long a lease lasts unless its holder renews it (default 10,000 ms; renewed every quarter of it). */
  readonly leaseTtlMs?: number
  /**
   * Appends in flight at once, each carrying every append that waited for it (default 1: appends
   * from one process then never contend with each other for ids).
   */
  readonly writers?: number
  /** Most events one group-commit transaction carries (default 5,000). */
  readonly maxGroupEvents?: number
}

/** A pause before attempt `attempt` (from 0), doubling from 25 ms up to `max`, with jitter. */
export const backoffMs = (attempt: number, max: number): number =>
  Math.min(max, 25 * 2 ** attempt) * (0.5 + Math.random() / 2)

/** The `postgres` driver's configuration for these options. */
export const driverConfig = (options: PostgresRecorderOptions) => {
  const maxBackoff = options.maxBackoffMs ?? 500
  const pooled = options.transactionPooling === true
  const session = {
    application_name: options.applicationName ?? 'eventfold',
    ...(pooled
      ? {}
      : {
          lock_timeout: options.lockTimeoutMs ?? 10_000,
          idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 10_000,
          statement_timeout: options.statementTimeoutMs ?? 0,
          plan_cache_mode: 'force_generic_plan',
        }),
  }
  return {
    max: options.max ?? 10,
    onnotice: () => {},
    connect_timeout: (options.connectTimeoutMs ?? 5_000) / 1000,
    // The driver counts failed connections for the whole pool; bounded, a restart is noticed promptly.
    backoff: (retries: number) => backoffMs(retries, maxBackoff) / 1000,
    prepare: !pooled,
    // No type query after connecting: killed midway, it leaves the connection hanging until the connect timeout.
    fetch_types: false,
    connection: session,
  }
}
