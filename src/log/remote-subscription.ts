// The remote log's wake-ups: an event stream of the server's highest id (Server-Sent Events read
// with fetch), reconnected with backoff when it drops or goes silent, with polling of the highest
// id as a fallback or a safety net. A wake-up is due whenever the highest id seen grows.

import type { Unsubscribe } from '../store/index.js'
import { pause } from './pause.js'
import { readEventStream } from './sse.js'

/** How the remote log is watched. */
export interface WatchOptions {
  /** Reads the server's highest id (throws typed errors). */
  readonly maxId: () => Promise<number>
  /** Opens `…/events`; undefined when the event stream is not to be used. */
  readonly openEvents?: (signal: AbortSignal) => Promise<Response>
  /** Poll interval: undefined polls every 500 ms while no event stream is open; 0 never polls. */
  readonly pollMs?: number | undefined
  /** Reconnect an event stream that has sent nothing (not even a heartbeat) for this long. */
  readonly staleMs: number
}

const DEFAULT_POLL_MS = 500

/** The pause before reconnection `attempt` (from 0): 100 ms doubling to 10 s, with jitter. */
const backoffMs = (attempt: number): number =>
  Math.min(10_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2)

/** How long a stream must have lived for the reconnection backoff to start again from its shortest. */
const RESET_AFTER_MS = 5_000

const isEventStream = (response: Response): boolean =>
  response.ok && (response.headers.get('content-type') ?? '').startsWith('text/event-stream')

/**
 * Calls `listener` whenever the remote log's highest id grows past the one read at subscription.
 * An answer of 401 or 403 to the event stream also calls it: the reader's next read then meets the
 * refusal as a typed error instead of waiting for ever. Unsubscribing ends the stream and the polls.
 */
export const watchRemoteLog = async (listener: () => void, options: WatchOptions): Promise<Unsubscribe> => {
  let known = await options.maxId()
  const stop = new AbortController()
  let streaming = false
  const seen = (max: number) => {
    if (max > known) {
      known = max
      listener()
    }
  }

  const pollMs = options.pollMs ?? DEFAULT_POLL_MS
  let polling = false
  const poll = () => {
    if (polling || (streaming && options.pollMs === undefined)) return
    polling = true
    options
      .maxId()
      .then(seen, () => {})
      .finally(() => {
        polling = false
      })
  }
  const timer = pollMs > 0 ? setInterval(poll, pollMs) : undefined

  const openEvents = options.openEvents
  const streamOnce = async (connection: AbortController, opened: () => void): Promise<void> => {
    if (!openEvents) return
    let silence: ReturnType<typeof setTimeout> | undefined
    const onBytes = () => {
      clearTimeout(silence)
      silence = setTimeout(() => connection.abort(), options.staleMs)
    }
    // The silence timer runs from the request on: a server that never answers is given up on too.
    onBytes()
    let response: Response
    try {
      response = await openEvents(connection.signal)
    } catch (error) {
      clearTimeout(silence)
      throw error
    }
    if (!isEventStream(response) || !response.body) {
      clearTimeout(silence)
      await response.body?.cancel().catch(() => {})
      if (response.status === 401 || response.status === 403) listener()
      return
    }
    try {
      for await (const event of readEventStream(response.body, { signal: connection.signal, onBytes })) {
        const max = Number(event.data)
        if (event.event !== 'max' || !Number.isSafeInteger(max)) continue
        streaming = true
        opened()
        seen(max)
      }
    } finally {
      clearTimeout(silence)
    }
  }
  const reconnecting = async (): Promise<void> => {
    for (let attempt = 0; openEvents && !stop.signal.aborted; attempt++) {
      const connection = new AbortController()
      const abort = () => connection.abort()
      stop.signal.addEventListener('abort', abort)
      const started = performance.now()
      let opened = false
      await streamOnce(connection, () => {
        opened = true
      })
        .catch(() => {}) // a dropped or refused stream: reconnect
        .finally(() => {
          streaming = false
          stop.signal.removeEventListener('abort', abort)
        })
      // Only a stream that lived a while resets the backoff: one closed right after it opened (a
      // proxy that cuts it, say) must not be reconnected to at once, again and again.
      if (opened && performance.now() - started > RESET_AFTER_MS) attempt = -1
      if (!stop.signal.aborted) await pause(backoffMs(Math.max(0, attempt)), stop.signal)
    }
  }
  const running = reconnecting()

  return async () => {
    stop.abort()
    clearInterval(timer)
    await running
  }
}
