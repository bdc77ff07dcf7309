// Problem details (RFC 9457): every answer that is not a success is application/problem+json with a
// status, a title, what was wrong and — for library errors — the error's stable code. Never a stack.

import { type ErrorCode, isEventfoldError } from '../codec/index.js'

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
  EncodeError: 400,
  PayloadTooLarge: 413,
  StreamClosed: 409,
  UnknownAggregate: 404,
  ConnectionError: 503,
  LockTimeout: 503,
  Deadlock: 503,
  SerializationFailure: 503,
  Timeout: 503,
  RecorderClosed: 503,
}

/**
 * The answer to an error thrown while executing: a ConcurrencyError is 412 when the request named
 * the version it expected (If-Match), else 409; a passing failure is 503 with Retry-After; anything
 * unexpected is 500 with its code only. The message of an EventfoldError says what, never where in
 * the code; other errors are not described at all.
 */
export const errorResponse = (error: unknown, ifMatch: boolean): Response => {
  if (!isEventfoldError(error))
    return problem({ type: 'about:blank', title: 'Internal Server Error', status: 500 })
  const status = error.code === 'ConcurrencyError' ? (ifMatch ? 412 : 409) : (byCode[error.code] ?? 500)
  const title = status >= 500 && status !== 503 ? 'Internal Server Error' : error.code
  return problem(
    {
      type: `urn:eventfold:error:${error.code}`,
      title,
      status,
      code: error.code,
      ...(status < 500 || status === 503 ? { detail: error.message.replace(/^[A-Za-z]+: /, '') } : {}),
    },
    status === 503 ? { 'retry-after': '1' } : {},
  )
}
