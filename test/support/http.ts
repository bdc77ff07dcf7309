// A real HTTP server on loopback for a Fetch-API handler (Request → Response), for tests, through
// the package's own Node adapter (toNodeListener): response bodies are streamed, and a client that
// goes away aborts the request's signal and cancels the body. Also: a served notification log whose
// requests and subscriptions are counted, and a clock-free wait for a condition.

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { toNodeListener } from 'eventfold/interface'
import { createLogHandler, createNotificationLog, type NotificationLog } from 'eventfold/log'
import { createMemoryRecorder } from 'eventfold/store'
import { afterEach } from 'vitest'

type Handler = (request: Request) => Promise<Response>

/**
 * Serves `handler` on 127.0.0.1 at a free port. `dropConnections()` cuts every open connection (an
 * event stream included) as a network failure would; `close()` does that and stops the server.
 */
export const serve = async (handler: Handler) => {
  const server = createServer(toNodeListener(handler))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    dropConnections: () => server.closeAllConnections(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** Waits, without a clock, until `predicate` holds: it is checked again on every `changed()`. */
export const createWatch = () => {
  const waiting = new Set<() => void>()
  return {
    changed: () => {
      for (const check of waiting) check()
    },
    until: (predicate: () => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (!predicate()) return
          waiting.delete(check)
          resolve()
        }
        waiting.add(check)
        check()
      }),
  }
}
export type Watch = ReturnType<typeof createWatch>

/** A log that counts its live subscriptions, to see that the server lets go of each. */
export const countSubscriptions = (log: NotificationLog, watch: Watch) => {
  let live = 0
  const counted: NotificationLog = {
    ...log,
    subscribe: async (listener) => {
      const unsubscribe = await log.subscribe(listener)
      live += 1
      watch.changed()
      let done = false
      return async () => {
        if (!done) live -= 1
        done = true
        watch.changed()
        await unsubscribe()
      }
    },
  }
  return { log: counted, live: () => live }
}

/**
 * Serves a recorder's log under /log (a new memory recorder unless one is given), counting requests
 * by path and the log's live subscriptions; `intercept` may answer a path instead of the handler.
 */
export const serveLog = async (
  options: {
    readonly recorder?: ReturnType<typeof createMemoryRecorder>
    readonly intercept?: (path: string) => Response | undefined
    readonly heartbeatMs?: number
    readonly maxStreams?: number
    readonly authorize?: (request: Request) => boolean
  } = {},
) => {
  const watch = createWatch()
  const recorder = options.recorder ?? createMemoryRecorder()
  const log = countSubscriptions(createNotificationLog(recorder), watch)
  const handler = createLogHandler(log.log, {
    basePath: '/log',
    heartbeatMs: options.heartbeatMs ?? 15_000,
    ...(options.maxStreams ? { maxStreams: options.maxStreams } : {}),
    ...(options.authorize ? { authorize: options.authorize } : {}),
  })
  const requests = new Map<string, number>()
  const server = await serve(async (request) => {
    const path = new URL(request.url).pathname
    requests.set(path, (requests.get(path) ?? 0) + 1)
    watch.changed()
    return options.intercept?.(path) ?? handler(request)
  })
  const count = (path: string) => requests.get(path) ?? 0
  return { watch, recorder, log, handler, server, count, url: `${server.url}/log` }
}

/** `serveLog` for a test file: each server is closed after the test that started it. */
export const serveLogPerTest = () => {
  const servers: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const close of servers.splice(0)) await close()
  })
  return async (options: Parameters<typeof serveLog>[0] = {}) => {
    const log = await serveLog(options)
    servers.push(log.server.close)
    return log
  }
}
