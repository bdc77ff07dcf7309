// The remote log: an application's notification log served over HTTP by a Fetch-API handler
// (Request → Response: Node, Deno, Bun, workers) and read back by a client that is itself a
// NotificationLog — so log readers and followers work across the network unchanged. Event data
// travels as stored: with application-level encryption on, it is ciphertext on the wire too.

import { EventfoldError, isErrorCode } from '../codec/index.js'
import type { EventMetadata, Notification } from '../store/index.js'
import { MAX_PAGE, type NotificationLog, parseSection, type Section } from './notification-log.js'

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

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

/**
 * Serves a log under `basePath`: GET `…/sections/first,last` gives a section (with `next` when it
 * is full), GET `…/max` gives `{ max }`. Bad requests get a JSON body with the error's code.
 */
export const createLogHandler =
  (log: NotificationLog, options: { readonly basePath?: string } = {}) =>
  async (request: Request): Promise<Response> => {
    const base = (options.basePath ?? '').replace(/\/$/, '')
    const path = new URL(request.url).pathname
    if (request.method !== 'GET')
      return json(405, { code: 'MethodNotAllowed', message: 'only GET is served' })
    try {
      if (path === `${base}/max`) return json(200, { max: await log.maxId() })
      const prefix = `${base}/sections/`
      if (path.startsWith(prefix)) {
        const section = await log.section(decodeURIComponent(path.slice(prefix.length)))
        return json(200, { ...section, items: section.items.map(toWire) })
      }
      return json(404, { code: 'NotFound', message: `no ${path} here` })
    } catch (error) {
      if (error instanceof EventfoldError && error.code === 'InvalidArgument')
        return json(400, { code: error.code, message: error.message })
      return json(500, { code: 'LogUnavailable', message: 'the log could not be read' })
    }
  }

/** Where the remote log is, and how to reach it. */
export interface RemoteLogOptions {
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch
  /** How often `subscribe` asks for the highest id (default 500 ms): HTTP has no push here. */
  readonly pollMs?: number
}

/** A NotificationLog read over HTTP from a `createLogHandler` at `baseUrl`. */
export const createRemoteLog = (baseUrl: string, options: RemoteLogOptions = {}): NotificationLog => {
  const base = baseUrl.replace(/\/$/, '')
  const get = async <T>(path: string): Promise<T> => {
    let response: Response
    try {
      response = await (options.fetch ?? fetch)(`${base}${path}`)
    } catch (error) {
      throw new EventfoldError(
        'ConnectionError',
        `cannot reach the remote log at ${base}: ${String(error)}`,
        {},
        { cause: error },
      )
    }
    const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string }
    if (!response.ok) {
      throw new EventfoldError(
        isErrorCode(body.code) ? body.code : 'RemoteLogError',
        body.message ?? `the remote log answered ${response.status}`,
        { url: `${base}${path}`, status: response.status, ...(body.code ? { remoteCode: body.code } : {}) },
      )
    }
    return body as T
  }

  const section = async (id: string): Promise<Section> => {
    parseSection(id)
    const wire = await get<{ id: string; items: WireNotification[]; next?: string }>(`/sections/${id}`)
    return { id: wire.id, items: wire.items.map(fromWire), ...(wire.next ? { next: wire.next } : {}) }
  }

  const maxId = async (): Promise<number> => (await get<{ max: number }>('/max')).max

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
    subscribe: async (listener) => {
      let known = await maxId()
      const timer = setInterval(() => {
        maxId()
          .then((max) => {
            if (max > known) {
              known = max
              listener()
            }
          })
          .catch(() => {})
      }, options.pollMs ?? 500)
      return async () => clearInterval(timer)
    },
  }
}
