// Nothing keeps the event loop alive after close(): a process that used each recorder, followed the
// log and closed everything ends by itself (what serverless handlers need).

import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { databaseUrl, freshSchema, skipPostgres } from './support/postgres.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)

const script = (persistence: string) => `
import { application } from 'eventfold/application'
import { createNotificationLog, follow } from 'eventfold/log'
import { dogs } from '../examples/dog-school/dog-school.ts'
const app = application({ name: 'exits', aggregates: [dogs], env: ${JSON.stringify({
  EVENTFOLD_PERSISTENCE: persistence,
  DATABASE_URL: databaseUrl ?? '',
  EVENTFOLD_PG_SCHEMA: freshSchema(),
})} })
await app.execute(dogs, 'fido', { type: 'RegisterDog', name: 'Fido' })
const stop = new AbortController()
for await (const batch of follow(app.log, { signal: stop.signal })) if (batch.position >= 1) stop.abort()
await app.close()
console.log('closed')
`

describe('closing', () => {
  for (const persistence of ['memory', 'sqlite', 'postgres']) {
    it.skipIf(persistence === 'postgres' && skipPostgres)(
      `lets the process end by itself (${persistence})`,
      async () => {
        mkdirSync(join(root, '.tmp'), { recursive: true })
        const file = join(root, `.tmp/exits-${persistence}.ts`)
        writeFileSync(file, script(persistence))
        const { stdout } = await run(join(root, 'node_modules/.bin/tsx'), [file], {
          cwd: root,
          timeout: 30_000,
        })
        expect(stdout.trim()).toBe('closed')
      },
    )
  }
})
