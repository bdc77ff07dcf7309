// A loopback TCP proxy in front of PostgreSQL that can lose a reply: armed with a marker, it
// forwards the request that carries it, lets the server commit, and then closes the client's
// connection instead of passing on the server's answer — the append's outcome is lost in transit.

import net from 'node:net'

/** A proxy on a loopback port; `loseReplyTo` arms it for the next request carrying `marker`. */
export interface Proxy {
  readonly port: number
  /** The next request whose bytes contain `marker` reaches the server; its reply never reaches the client. */
  loseReplyTo(marker: string): void
  /** The next request whose bytes contain `marker` reaches the server; from then on, nothing comes back on that connection and it stays open. */
  silenceAfter(marker: string): void
  /** The next request whose bytes contain `marker` never reaches the server; the client's connection is cut. */
  loseRequest(marker: string): void
  /** How many replies and requests were lost so far. */
  lost(): number
  close(): Promise<void>
}

/** Starts a proxy to `port` on 127.0.0.1. */
export const createProxy = async (port: number): Promise<Proxy> => {
  let replyMarker: Buffer | undefined
  let requestMarker: Buffer | undefined
  let silenceMarker: Buffer | undefined
  let lost = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1')
    sockets.add(client).add(upstream)
    let armed = false
    let silent = false
    let pending = Buffer.alloc(0)
    client.on('data', (chunk) => {
      if (requestMarker && chunk.includes(requestMarker)) {
        requestMarker = undefined
        lost += 1
        client.destroy()
        upstream.destroy()
        return
      }
      if (silenceMarker && chunk.includes(silenceMarker)) {
        silenceMarker = undefined
        silent = true
        lost += 1
      }
      if (replyMarker && chunk.includes(replyMarker)) {
        replyMarker = undefined
        armed = true
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      if (silent) return
      if (!armed) return void client.write(chunk)
      // Cut the client off once the server says it is ready for the next query: the transaction has ended.
      pending = Buffer.concat([pending, chunk])
      if (readyForQuery(pending)) {
        armed = false
        lost += 1
        client.destroy()
        setTimeout(() => upstream.destroy(), 100)
      }
    })
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('close', end).on('error', end)
    upstream.on('close', end).on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    loseReplyTo: (marker) => {
      replyMarker = Buffer.from(marker)
    },
    silenceAfter: (marker) => {
      silenceMarker = Buffer.from(marker)
    },
    loseRequest: (marker) => {
      requestMarker = Buffer.from(marker)
    },
    lost: () => lost,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** True when the server's bytes hold a complete ReadyForQuery message ('Z', length 5). */
const readyForQuery = (bytes: Buffer): boolean => {
  for (let at = 0; at + 5 <= bytes.length; ) {
    const type = bytes[at]
    const length = bytes.readUInt32BE(at + 1)
    if (type === 0x5a && at + 1 + length <= bytes.length) return true
    at += 1 + length
  }
  return false
}
