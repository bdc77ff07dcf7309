// better-sqlite3's errors translated at the store boundary: nothing above it sees an SQLite code.

import { EventfoldError } from '../../codec/index.js'

/** Translates a better-sqlite3 error into a typed one (LockTimeout, SchemaMissing, DatabaseError); others pass as they are. */
export const translate = (error: unknown): unknown => {
  const code = (error as { code?: unknown }).code
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new EventfoldError(
      'LockTimeout',
      'another connection holds the SQLite write lock',
      {},
      { cause: error },
    )
  }
  const message = String((error as Error).message)
  // As PostgreSQL's 42P01: a table is missing — not one row's fault.
  if (code === 'SQLITE_ERROR' && /^no such table\b/.test(message)) {
    return new EventfoldError(
      'SchemaMissing',
      `a table is missing: ${message}`,
      { sqliteCode: code },
      { cause: error },
    )
  }
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    return new EventfoldError('DatabaseError', message, { sqliteCode: code }, { cause: error })
  }
  return error
}
