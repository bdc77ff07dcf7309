// Node's `http` in front of a Fetch-API handler: each request becomes a `Request` (its body streamed,
// not buffered), and the `Response` is written back.

import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'

/** A request listener for `http.createServer` that serves `handler`. */
export const toNodeListener =
  (handler: (request: Request) => Promise<Response>, options: { readonly origin?: string } = {}) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    const origin = options.origin ?? `http://${req.headers.host ?? 'localhost'}`
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    const request = new Request(new URL(req.url ?? '/', origin), {
      method: req.method ?? 'GET',
      headers,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
    })
    handler(request)
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers))
        res.end(Buffer.from(await response.arrayBuffer()))
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/problem+json' })
        res.end(JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500 }))
      })
  }
