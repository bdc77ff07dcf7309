// Problem details (RFC 9457): every answer that is not a success is application/problem+json with a
// status, a title, what was wrong and — for library errors — the error's stable code. Never a stack.

import { type ErrorCode, type EventfoldError, isEventfoldError } from '../codec/index.js'

/** The body of a problem answer. */
export interface Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail?: string
  readonly [extension: string]: unknown
}

/** A problem+json response. */
export const problem = (body: Problem, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  })

/** An answer about the request itself: what was wrong, and where (a path into the body, say). */
export const badRequest = (status: 400 | 404 | 405 | 413 | 415, title: string, detail: string, extra = {}) =>
  problem({ type: 'about:blank', title, status, detail, ...extra })

const byCode: Partial<Record<ErrorCode, number>> = {
  InvalidStreamId: 400,
  InvalidArgument: 400,
  InvalidVersion: 400,
  PayloadTooLarge: 413,
  StreamClosed: 409,
  UnknownAggregate: 404,
  ConnectionError: 503,
  LockTimeout: 503,
  Deadlock: 503,
  SerializationFailure: 503,
  RecorderClosed: 503,
}

/** Codes whose messages are eventfold's own words about the request (ids, limits): safe to show. */
const OWN_WORDS = new Set<ErrorCode>([
  'InvalidStreamId',
  'InvalidArgument',
  'InvalidVersion',
  'PayloadTooLarge',
])

/** What an answer says of an error: never a driver's text, a table's name or a host. */
const detailOf = (error: EventfoldError, status: number): string | undefined => {
  const { expectedVersion, actualVersion } = error.context as {
    expectedVersion?: number
    actualVersion?: number
  }
  if (error.code === 'ConcurrencyError')
    return actualVersion === undefined
      ? 'another writer changed the stream first'
      : `the stream is at version ${actualVersion}, not the expected ${expectedVersion}`
  if (error.code === 'StreamClosed') return 'the stream is closed: its state takes no more commands'
  if (status === 503) return 'the store is unavailable for a moment: try again'
  return OWN_WORDS.has(error.code) ? error.message.replace(/^[A-Za-z]+: /, '') : undefined
}

/**
 * The answer to an error thrown while executing: a ConcurrencyError is 412 when the request named
 * the version it expected (If-Match), else 409; a failure that may pass is 503 with Retry-After;
 * anything else is 500 with its code only. Details are eventfold's own words, never the driver's.
 */
export const errorResponse = (error: unknown, ifMatch: boolean): Response => {
  if (!isEventfoldError(error))
    return problem({ type: 'about:blank', title: 'Internal Server Error', status: 500 })
  const mapped = error.code === 'ConcurrencyError' ? (ifMatch ? 412 : 409) : (byCode[error.code] ?? 500)
  // A connection refused for good (a login refused, say) is the server's fault, not a moment's.
  const status = mapped === 503 && error.context.permanent === true ? 500 : mapped
  const detail = detailOf(error, status)
  return problem(
    {
      type: `urn:eventfold:error:${error.code}`,
      title: status === 500 ? 'Internal Server Error' : error.code,
      status,
      code: error.code,
      ...(detail === undefined ? {} : { detail }),
    },
    status === 503 ? { 'retry-after': '1' } : {},
  )
}
