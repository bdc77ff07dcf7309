// The remote log: an application's notification log served over HTTP by a Fetch-API handler
// (Request → Response: Node, Deno, Bun, workers) and read back by a client that is itself a
// NotificationLog — so log readers and followers work across the network unchanged. Event data
// travels as stored: with application-level encryption on, it is ciphertext on the wire too.

import { EventfoldError, isErrorCode } from '../codec/index.js'
import type { EventMetadata, Notification } from '../store/index.js'
import { createMaxHub } from './max-hub.js'
import { MAX_PAGE, type NotificationLog, parseSection, type Section } from './notification-log.js'
import { watchRemoteLog } from './remote-subscription.js'
import { openMaxIdStream } from './sse.js'

interface WireNotification {
  readonly id: number
  readonly streamId: string
  readonly version: number
  readonly type: string
  readonly schemaVersion: number
  readonly data: string
  readonly eventId?: string
  readonly metadata?: EventMetadata
  readonly recordedAt?: string
}

const toWire = (n: Notification): WireNotification => ({
  id: n.id,
  streamId: n.streamId,
  version: n.version,
  type: n.type,
  schemaVersion: n.schemaVersion,
  data: Buffer.from(n.data.buffer, n.data.byteOffset, n.data.byteLength).toString('base64'),
  ...(n.eventId === undefined ? {} : { eventId: n.eventId }),
  ...(n.metadata === undefined ? {} : { metadata: n.metadata }),
  ...(n.recordedAt === undefined ? {} : { recordedAt: n.recordedAt.toISOString() }),
})

const fromWire = ({ recordedAt, ...w }: WireNotification): Notification => ({
  ...w,
  data: new Uint8Array(Buffer.from(w.data, 'base64')),
  ...(recordedAt === undefined ? {} : { recordedAt: new Date(recordedAt) }),
})

const NO_STORE = 'no-store'
const IMMUTABLE = 'max-age=31536000, immutable'

const json = (status: number, body: unknown, cacheControl = NO_STORE): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': cacheControl },
  })

/** How a log is served. */
export interface LogHandlerOptions {
  /** The path the log is served under, e.g. `/log` (default: the root). */
  readonly basePath?: string
  /** Says whether a request may read the log; one that may not gets 401. */
  readonly authorize?: (request: Request) => boolean | Promise<boolean>
  /** How often an event stream sends a heartbeat comment (default 15,000 ms). */
  readonly heartbeatMs?: number
  /** The most event streams open at once (default 1,000); one more is answered 503 LogUnavailable. */
  readonly maxStreams?: number
  /**
   * `Cache-Control` of a full section, which never changes (default `public, max-age=31536000,
   * immutable`; `private, …` with `authorize`, so that shared caches do not serve it to others).
   */
  readonly fullSectionCacheControl?: string
}

/**
 * Serves a log under `basePath`: GET `…/sections/first,last` gives a section (with `next` when it
 * is full, and then cacheable for ever), GET `…/max` gives `{ max }`, GET `…/events` is an event
 * stream (Server-Sent Events) of the highest id. Errors get a JSON body `{ code, message }`.
 */
export const createLogHandler = (log: NotificationLog, options: LogHandlerOptions = {}) => {
  const base = (options.basePath ?? '').replace(/\/$/, '')
  const immutable =
    options.fullSectionCacheControl ?? `${options.authorize ? 'private' : 'public'}, ${IMMUTABLE}`
  const hub = createMaxHub(log)
  const maxStreams = options.maxStreams ?? 1000
  return async (request: Request): Promise<Response> => {
    try {
      if (options.authorize && !(await options.authorize(request)))
        return json(401, { code: 'Unauthorized', message: 'this request may not read the log' })
      if (request.method !== 'GET')
        return json(405, { code: 'MethodNotAllowed', message: 'only GET is served' })
      const path = new URL(request.url).pathname
      if (path === `${base}/max`) return json(200, { max: await log.maxId() })
      if (path === `${base}/events`) {
        if (hub.size() >= maxStreams)
          return json(503, { code: 'LogUnavailable', message: 'too many event streams are open' })
        return await openMaxIdStream(hub, request.signal, options.heartbeatMs ?? 15_000)
      }
      const prefix = `${base}/sections/`
      if (path.startsWith(prefix)) {
        const section = await log.section(decodeURIComponent(path.slice(prefix.length)))
        const body = { ...section, items: section.items.map(toWire) }
        return json(200, body, section.next === undefined ? NO_STORE : immutable)
      }
      return json(404, { code: 'NotFound', message: `no ${path} here` })
    } catch (error) {
      if (error instanceof EventfoldError && error.code === 'InvalidArgument')
        return json(400, { code: error.code, message: error.message })
      return json(500, { code: 'LogUnavailable', message: 'the log could not be read' })
    }
  }
}

/** Headers sent with every request, or a function giving them (called for each request). */
export type RemoteLogHeaders =
  | Readonly<Record<string, string>>
  | (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>)

/** Where the remote log is, and how to reach it. */
export interface RemoteLogOptions {
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch
  /** Headers for every request (sections, highest id, event stream), e.g. `authorization`. */
  readonly headers?: RemoteLogHeaders
  /**
   * How `subscribe` polls the highest id: by default every 500 ms while no event stream is open;
   * a number > 0 polls that often always (a safety net); 0 never polls.
   */
  readonly pollMs?: number
  /** Whether `subscribe` opens the event stream `…/events` (default true). */
  readonly events?: boolean
  /** Reconnect an event stream silent for this long (default 45,000 ms: three missed heartbeats). */
  readonly staleMs?: number
}

const malformed = (url: string, status: number, what: string): EventfoldError =>
  new EventfoldError('RemoteLogError', `the remote log answered ${what}`, { url, status })

const isWireNotification = (x: unknown): x is WireNotification => {
  const n = x as Partial<WireNotification> | null
  return (
    typeof n === 'object' &&
    n !== null &&
    Number.isSafeInteger(n.id) &&
    typeof n.streamId === 'string' &&
    Number.isSafeInteger(n.version) &&
    typeof n.type === 'string' &&
    typeof n.data === 'string'
  )
}

/** A NotificationLog read over HTTP from a `createLogHandler` at `baseUrl`. */
export const createRemoteLog = (baseUrl: string, options: RemoteLogOptions = {}): NotificationLog => {
  const base = baseUrl.replace(/\/$/, '')
  const doFetch = options.fetch ?? fetch
  const headers = async (): Promise<Record<string, string>> =>
    typeof options.headers === 'function' ? { ...(await options.headers()) } : { ...options.headers }

  const request = async (
    path: string,
    init: { readonly headers?: Record<string, string>; readonly signal?: AbortSignal } = {},
  ): Promise<Response> => {
    const withHeaders = { ...init, headers: { ...init.headers, ...(await headers()) } }
    try {
      return await doFetch(`${base}${path}`, withHeaders)
    } catch (error) {
      throw new EventfoldError(
        'ConnectionError',
        `cannot reach the remote log at ${base}: ${String(error)}`,
        {},
        { cause: error },
      )
    }
  }

  const get = async (path: string): Promise<Record<string, unknown>> => {
    const url = `${base}${path}`
    const response = await request(path)
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
    if (!response.ok) {
      const code = body?.code
      // A gateway's answer while the server restarts passes, as a dropped connection does.
      const gateway = response.status >= 502 && response.status <= 504
      throw new EventfoldError(
        isErrorCode(code) ? code : gateway ? 'ConnectionError' : 'RemoteLogError',
        typeof body?.message === 'string' ? body.message : `the remote log answered ${response.status}`,
        { url, status: response.status, ...(typeof code === 'string' ? { remoteCode: code } : {}) },
      )
    }
    if (typeof body !== 'object' || body === null) throw malformed(url, response.status, 'something not JSON')
    return body
  }

  const section = async (id: string): Promise<Section> => {
    parseSection(id)
    const path = `/sections/${id}`
    const wire = await get(path)
    const { items, next } = wire
    if (
      !Array.isArray(items) ||
      !items.every(isWireNotification) ||
      !(next === undefined || typeof next === 'string')
    )
      throw malformed(`${base}${path}`, 200, 'a section that is not one')
    return { id, items: items.map(fromWire), ...(next ? { next } : {}) }
  }

  const maxId = async (): Promise<number> => {
    const { max } = await get('/max')
    if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0)
      throw malformed(`${base}/max`, 200, 'a highest id that is not one')
    return max
  }

  return {
    section,
    maxId,
    select: async (start, limit, selectOptions = {}) => {
      const { stop = Number.MAX_SAFE_INTEGER, types } = selectOptions
      const wanted = types ? new Set(types) : undefined
      const found: Notification[] = []
      const want = Math.min(limit, MAX_PAGE)
      for (let first = start; found.length < want && first <= stop; ) {
        const last = Math.min(stop, first + (wanted ? MAX_PAGE : want - found.length) - 1)
        const { items } = await section(`${first},${last}`)
        for (const n of items) if (found.length < want && (!wanted || wanted.has(n.type))) found.push(n)
        if (items.length < last - first + 1) break
        first = last + 1
      }
      return found
    },
    subscribe: (listener) =>
      watchRemoteLog(listener, {
        maxId,
        pollMs: options.pollMs,
        staleMs: options.staleMs ?? 45_000,
        ...(options.events === false
          ? {}
          : {
              openEvents: (signal) =>
                request('/events', { headers: { accept: 'text/event-stream' }, signal }),
            }),
      }),
  }
}
