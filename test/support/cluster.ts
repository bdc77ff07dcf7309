// A PostgreSQL cluster of a test's own (scripts/db.sh with its own directory and port), for tests
// that restart the server and so must not share it with the rest of the run.

import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('../../scripts/db.sh', import.meta.url))

/** A running cluster: its URL, a restart (fast shutdown, then start; resolves once it accepts connections), and removal. */
export interface Cluster {
  readonly url: string
  restart(): void
  down(): void
}

/** Starts a throwaway cluster in `dir` on `port`. */
export const startCluster = (dir: string, port: number): Cluster => {
  const env = { ...process.env, EVENTFOLD_PG_DIR: dir, EVENTFOLD_PG_PORT: String(port) }
  const out = execFileSync('bash', [script, 'up'], { env, encoding: 'utf8' })
  const url = /DATABASE_URL=(\S+)/.exec(out)?.[1]
  if (!url) throw new Error(`scripts/db.sh up printed no DATABASE_URL:\n${out}`)
  const bin = execFileSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'], {
    encoding: 'utf8',
  }).trim()
  const asOwner = (args: string[]) =>
    process.getuid?.() === 0
      ? execFileSync('runuser', ['-u', 'postgres', '--', ...args])
      : execFileSync(args[0] ?? '', args.slice(1))
  return {
    url,
    restart: () => {
      asOwner([
        `${bin}/pg_ctl`,
        '-D',
        `${dir}/data`,
        '-m',
        'fast',
        '-w',
        '-t',
        '60',
        'restart',
        '-l',
        `${dir}/server.log`,
        '-o',
        `-p ${port} -k ${dir}/socket -c listen_addresses=127.0.0.1 -c max_connections=200`,
      ])
    },
    down: () => {
      execFileSync('bash', [script, 'down'], { env })
    },
  }
}
