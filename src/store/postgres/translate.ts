// Driver errors become eventfold's typed errors here; nothing above store/ sees a SQLSTATE.

import { type ErrorCode, EventfoldError, isEventfoldError } from '../../codec/index.js'

/** Connection failures that reconnecting cannot cure: a refused login, a database that does not exist. */
const PERMANENT = new Set(['28P01', '28000', '3D000'])

const byState: Readonly<Record<string, [code: ErrorCode, what: string]>> = {
  '23505': ['ConcurrencyError', 'a row with the same key was committed concurrently'],
  '55P03': ['LockTimeout', 'waited longer than lock_timeout for the log lock'],
  '57014': ['Timeout', 'the statement was cancelled (statement_timeout or cancel request)'],
  '25P03': ['Timeout', 'the transaction sat idle longer than idle_in_transaction_session_timeout'],
  '40P01': ['Deadlock', 'deadlock detected'],
  '40001': ['SerializationFailure', 'could not serialize access due to concurrent update'],
  '57P01': ['ConnectionError', 'the server terminated the session (admin shutdown)'],
  '57P02': ['ConnectionError', 'the server terminated the session (crash shutdown)'],
  '57P03': ['ConnectionError', 'the server is starting up or shutting down'],
  '57P05': ['ConnectionError', 'the session was idle too long and the server ended it'],
  '42501': ['PermissionDenied', 'the database role lacks a privilege'],
  '42P01': ['SchemaMissing', 'a table is missing: run `npx eventfold migrate`'],
  '53300': ['ConnectionError', 'the server has no connection slots left'],
  '28P01': ['ConnectionError', 'password authentication failed'],
  '28000': ['ConnectionError', 'authorization failed'],
  '3D000': ['ConnectionError', 'the database does not exist'],
  '54000': ['PayloadTooLarge', 'a value exceeds a PostgreSQL limit'],
}

const driverConnectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
])

/** Translates an error thrown by the `postgres` driver into an EventfoldError with a stable code. */
export const translate = (error: unknown, context: Record<string, unknown> = {}): EventfoldError => {
  if (isEventfoldError(error)) return error
  const {
    code,
    message,
    constraint_name: constraint,
  } = (error ?? {}) as {
    code?: unknown
    message?: unknown
    constraint_name?: unknown
  }
  const text = typeof message === 'string' ? message : String(error)
  if (typeof code === 'string') {
    const known = byState[code]
    if (known)
      return new EventfoldError(
        known[0],
        `${known[1]}: ${text}`,
        {
          ...context,
          sqlState: code,
          ...(PERMANENT.has(code) ? { permanent: true } : {}),
          ...(typeof constraint === 'string' ? { constraint } : {}),
        },
        { cause: error },
      )
    if (/unsupported startup parameter/i.test(text)) {
      // PgBouncer in transaction mode refuses the session settings: retrying cannot help.
      return new EventfoldError(
        'ConnectionError',
        `${text}: behind PgBouncer in transaction mode, set transactionPooling (EVENTFOLD_PG_TRANSACTION_POOLING=true)`,
        { ...context, driverCode: code, permanent: true },
        { cause: error },
      )
    }
    if (code.startsWith('08') || driverConnectionCodes.has(code)) {
      return new EventfoldError(
        'ConnectionError',
        `cannot talk to PostgreSQL: ${text}`,
        { ...context, driverCode: code },
        { cause: error },
      )
    }
  }
  return new EventfoldError(
    'DatabaseError',
    text,
    { ...context, ...(typeof code === 'string' ? { sqlState: code } : {}) },
    { cause: error },
  )
}
