// A real HTTP server on loopback for a Fetch-API handler (Request → Response), for tests.

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Serves `handler` on 127.0.0.1 at a free port; `close()` stops the server. */
export const serve = async (handler: (request: Request) => Promise<Response>) => {
  const server = createServer((req, res) => {
    handler(new Request(`http://${req.headers.host}${req.url}`, { method: req.method ?? 'GET' }))
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers))
        res.end(Buffer.from(await response.arrayBuffer()))
      })
      .catch(() => {
        res.writeHead(500)
        res.end()
      })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
