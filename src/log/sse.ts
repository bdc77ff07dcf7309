// Server-Sent Events, the little the remote log needs of them: the server side streams the log's
// highest id on opening and on every wake-up, with heartbeats; the client side parses an event
// stream read with fetch (Node 20 has no EventSource, and the spec's parser is a few lines).

import type { MaxHub } from './max-hub.js'

/** One event of an event stream: its type (`message` unless named) and its data lines joined. */
export interface ServerSentEvent {
  readonly event: string
  readonly data: string
}

const LINE_END = /\r\n|\r|\n/

/**
 * Parses a `text/event-stream` body into its events, as the HTML spec says (comments, `id`,
 * `retry` and unknown fields are skipped; an event cut off by the end of the stream is dropped).
 * `onBytes` is told of every chunk (heartbeats included); `signal` cancels the body.
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
  options: { readonly signal?: AbortSignal; readonly onBytes?: () => void } = {},
): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader()
  const cancel = () => void reader.cancel(options.signal?.reason).catch(() => {})
  if (options.signal?.aborted) cancel()
  options.signal?.addEventListener('abort', cancel)
  const decoder = new TextDecoder()
  let buffer = ''
  let event = ''
  let data: string[] = []
  try {
    for (let done = false; !done; ) {
      const chunk = await reader.read()
      done = chunk.done
      options.onBytes?.()
      buffer += done ? decoder.decode() : decoder.decode(chunk.value, { stream: true })
      for (let match = LINE_END.exec(buffer); match; match = LINE_END.exec(buffer)) {
        // A '\r' at the end of what has come may be the first half of a '\r\n'.
        if (match[0] === '\r' && match.index === buffer.length - 1 && !done) break
        const line = buffer.slice(0, match.index)
        buffer = buffer.slice(match.index + match[0].length)
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', data: data.join('\n') }
          event = ''
          data = []
          continue
        }
        const colon = line.indexOf(':')
        if (colon === 0) continue
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1))
        if (field === 'event') event = value
        else if (field === 'data') data.push(value)
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', cancel)
    cancel()
  }
}

/** The headers of an event stream: never cached, never buffered by a proxy (nginx reads the last one). */
const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
}

/**
 * Opens an event stream of the log's highest id through `hub` (one subscription for all streams):
 * an event `max` now and whenever it may have grown, and a comment every `heartbeatMs`. It leaves
 * the hub when `signal` aborts or the body is cancelled (the client went away), or when reading
 * the highest id fails (the client reconnects). A failure to subscribe or to read the first id is
 * thrown, before any byte is sent.
 */
export const openMaxIdStream = async (
  hub: MaxHub,
  signal: AbortSignal,
  heartbeatMs: number,
): Promise<Response> => {
  const encoder = new TextEncoder()
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined
  let leave: (() => void) | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let closed = false

  const end = () => {
    if (closed) return
    closed = true
    clearInterval(heartbeat)
    signal.removeEventListener('abort', end)
    try {
      controller?.close()
    } catch {
      // Cancelled by the reader: already closed.
    }
    leave?.()
  }
  const send = (text: string) => {
    if (!closed) controller?.enqueue(encoder.encode(text))
  }
  const sendMax = (max: number) => send(`event: max\ndata: ${max}\n\n`)

  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c
    },
    cancel: end,
  })
  signal.addEventListener('abort', end)
  if (signal.aborted) end()
  try {
    const joined = await hub.join(sendMax, end)
    leave = joined.leave
    if (closed) leave()
    else sendMax(joined.max)
  } catch (error) {
    end()
    throw error
  }
  if (!closed) heartbeat = setInterval(() => send(': heartbeat\n\n'), heartbeatMs)
  return new Response(body, { status: 200, headers: STREAM_HEADERS })
}
