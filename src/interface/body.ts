// Reading a JSON request body safely: a size limit checked while the bytes arrive, strict UTF-8, a
// nesting limit, and no keys that could reach an object's prototype.

import type { Either } from 'fp-ts/lib/Either.js'
import { isRight, left, right } from '../codec/index.js'

/** Why a body could not be read: its HTTP status and what was wrong. */
export interface BodyProblem {
  readonly status: 400 | 413 | 415
  readonly title: string
  readonly detail: string
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])

/** The body's bytes, or 413 as soon as they pass `limit` (the rest is not read). */
const readLimited = async (request: Request, limit: number): Promise<Either<BodyProblem, Uint8Array>> => {
  const tooLarge = left<BodyProblem, Uint8Array>({
    status: 413,
    title: 'Content Too Large',
    detail: `the body is larger than ${limit} bytes`,
  })
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > limit) return tooLarge
  if (!request.body) return right(new Uint8Array())
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => undefined)
      return tooLarge
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    bytes.set(chunk, at)
    at += chunk.byteLength
  }
  return right(bytes)
}

/** The depth of nesting of a parsed JSON value, up to `max + 1`. */
const deeper = (value: unknown, max: number, depth = 0): boolean => {
  if (depth > max) return true
  if (typeof value !== 'object' || value === null) return false
  return Object.values(value).some((v) => deeper(v, max, depth + 1))
}

/** Reads a JSON body: 415 unless it says it is JSON, 413 past `limit`, 400 for bad UTF-8, bad JSON, deep nesting or prototype keys. */
export const readJson = async (
  request: Request,
  limit: number,
  maxDepth: number,
): Promise<Either<BodyProblem, unknown>> => {
  const type = request.headers.get('content-type') ?? ''
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type))
    return left({
      status: 415,
      title: 'Unsupported Media Type',
      detail: 'send the command as application/json',
    })
  const bytes = await readLimited(request, limit)
  if (!isRight(bytes)) return bytes
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.right)
  } catch {
    return left({ status: 400, title: 'Bad Request', detail: 'the body is not valid UTF-8' })
  }
  let value: unknown
  let forbidden: string | undefined
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) forbidden = key
      return v
    })
  } catch (error) {
    return left({
      status: 400,
      title: 'Bad Request',
      detail: `the body is not JSON: ${(error as Error).message}`,
    })
  }
  if (forbidden !== undefined)
    return left({ status: 400, title: 'Bad Request', detail: `the key "${forbidden}" is not accepted` })
  if (deeper(value, maxDepth))
    return left({
      status: 400,
      title: 'Bad Request',
      detail: `the body is nested deeper than ${maxDepth} levels`,
    })
  return right(value)
}
