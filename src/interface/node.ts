// Node's `http` in front of a Fetch-API handler: each request becomes a `Request` (its body
// streamed, not buffered), and the `Response` is written back as it is produced — an event stream
// works. A client that goes away aborts the request's signal and cancels the response body, as a
// Fetch runtime does, so that a handler can let go of what it holds (a log subscription, say).

import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'

const toRequest = (req: IncomingMessage, url: URL, signal: AbortSignal): Request => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  return new Request(url, {
    method: req.method ?? 'GET',
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
  })
}

const write = async (response: Response, res: ServerResponse, gone: AbortSignal): Promise<void> => {
  res.writeHead(response.status, Object.fromEntries(response.headers))
  if (!response.body) return void res.end()
  res.flushHeaders()
  const reader = response.body.getReader()
  const cancel = () => void reader.cancel().catch(() => {})
  if (gone.aborted) return cancel()
  gone.addEventListener('abort', cancel, { once: true })
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    // A client that reads slowly holds the producer back rather than filling this process's memory.
    if (!res.write(chunk.value))
      await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve))
  }
  res.end()
}

const refuse = (res: ServerResponse, status: number, detail: string): void => {
  res.writeHead(status, { 'content-type': 'application/problem+json' })
  res.end(
    JSON.stringify({
      type: 'about:blank',
      title: status === 501 ? 'Not Implemented' : 'Bad Request',
      status,
      detail,
    }),
  )
}

/** A request listener for `http.createServer` that serves `handler`. */
export const toNodeListener =
  (handler: (request: Request) => Promise<Response>, options: { readonly origin?: string } = {}) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    const gone = new AbortController()
    res.on('close', () => gone.abort())
    let url: URL
    try {
      // A fixed origin: the Host header is the client's to say, and may not even parse.
      url = new URL(req.url ?? '/', options.origin ?? 'http://localhost')
    } catch {
      refuse(res, 400, 'the request target is not a path')
      return
    }
    let request: Request
    try {
      request = toRequest(req, url, gone.signal)
    } catch {
      refuse(res, 501, `${req.method} is not served`) // a method the Fetch API refuses (TRACE …)
      return
    }
    handler(request)
      .then((response) => write(response, res, gone.signal))
      .catch(() => {
        if (res.headersSent) return void res.destroy() // never a problem appended to a body begun
        res.writeHead(500, { 'content-type': 'application/problem+json' })
        res.end(JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500 }))
      })
  }
