// The Fetch-API command handler: `POST {basePath}/{aggregate}/{id}` executes a command, `GET` shows
// a state, and every other answer is problem+json saying what was wrong. It needs nothing but the
// Fetch API, so it runs unchanged in Node (see node.ts), Deno, Bun and serverless runtimes.

import type { Application } from '../application/index.js'
import { isLeft } from '../codec/index.js'
import type { EventMetadata } from '../store/index.js'
import { readJson } from './body.js'
import { badRequest, errorResponse, problem } from './problem.js'
import type { Route } from './route.js'

/** How to serve an application's commands. */
export interface CommandHandlerOptions {
  readonly application: Application
  /** The routes by their URL segment: `{ dogs: route({ aggregate: dogs, commands }) }`. */
  readonly routes: Readonly<Record<string, Route>>
  /** The path the routes live under (default ''). */
  readonly basePath?: string
  /** The largest body accepted, in bytes (default 64 KiB). */
  readonly maxBodyBytes?: number
  /** The deepest nesting of a body accepted (default 32). */
  readonly maxDepth?: number
  /** Metadata for the events a request records (the caller, a request id …). */
  readonly metadata?: (request: Request) => EventMetadata | undefined
}

/** Parses If-Match: a version (`"3"`, `3`), `*` or none (undefined), or NaN when it is neither. */
const expectedVersionOf = (header: string | null): number | undefined => {
  if (header === null || header.trim() === '*') return undefined
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header)
  return match ? Number(match[1]) : Number.NaN
}

/** The conditions of a POST: If-Match (a version, or `*`: the stream exists) and If-None-Match `*` (it does not). */
const conditionsOf = (request: Request) => {
  const ifMatch = request.headers.get('if-match')
  const ifNoneMatch = request.headers.get('if-none-match')?.trim()
  const expected = expectedVersionOf(ifMatch)
  return {
    expectedVersion: ifNoneMatch === '*' ? 0 : expected,
    mustExist: ifMatch?.trim() === '*',
    conditional: ifMatch !== null || ifNoneMatch === '*',
  }
}

/** Splits `{basePath}/{segment}/{id}`; undefined when the path is not of that shape. */
const target = (url: URL, basePath: string): { segment: string; id: string } | undefined => {
  if (!url.pathname.startsWith(`${basePath}/`)) return undefined
  const parts = url.pathname.slice(basePath.length + 1).split('/')
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined
  return { segment: parts[0], id: parts[1] }
}

/** Creates the handler: `(request) => Promise<Response>`. */
export const createCommandHandler = (options: CommandHandlerOptions) => {
  const basePath = (options.basePath ?? '').replace(/\/$/, '')
  const limit = options.maxBodyBytes ?? 64 * 1024
  const maxDepth = options.maxDepth ?? 32
  const { application, routes } = options

  const post = async (request: Request, found: Route, id: string): Promise<Response> => {
    const { expectedVersion, mustExist, conditional } = conditionsOf(request)
    if (Number.isNaN(expectedVersion))
      return badRequest(
        400,
        'Bad Request',
        'If-Match must be one entity tag, as an ETag of this service gave it, or *',
      )
    try {
      const body = await readJson(request, limit, maxDepth)
      if (isLeft(body)) return problem({ type: 'about:blank', ...body.left })
      return await found.execute(application, {
        id,
        body: body.right,
        expectedVersion,
        mustExist,
        metadata: options.metadata?.(request),
      })
    } catch (error) {
      return errorResponse(error, conditional)
    }
  }

  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const path = target(url, basePath)
    const found = path && Object.hasOwn(routes, path.segment) ? routes[path.segment] : undefined
    if (!path || !found) return badRequest(404, 'Not Found', `no route for ${url.pathname}`)
    let id: string
    try {
      id = decodeURIComponent(path.id)
    } catch {
      return badRequest(400, 'Bad Request', 'the id is not a valid URI component')
    }
    if (request.method === 'POST') return post(request, found, id)
    if ((request.method === 'GET' || request.method === 'HEAD') && found.show) {
      try {
        const shown = await found.show(application, id, request.headers.get('if-none-match'))
        // HEAD: the headers a GET would give, without its body.
        return request.method === 'GET'
          ? shown
          : new Response(null, { status: shown.status, headers: shown.headers })
      } catch (error) {
        return errorResponse(error, false)
      }
    }
    return problem(
      {
        type: 'about:blank',
        title: 'Method Not Allowed',
        status: 405,
        detail: `${request.method} is not served here`,
      },
      { allow: found.show ? 'GET, HEAD, POST' : 'POST' },
    )
  }
}
