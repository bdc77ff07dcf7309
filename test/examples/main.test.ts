// `npm start` (the README's first command) runs the dog-school demo: on the default store, and on a
// SQLite file twice — the second run finds the first one's dogs in its log and its read model.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'eventfold-demo-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const start = (env: Record<string, string> = {}): string =>
  execFileSync('npm', ['start', '--silent'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, EVENTFOLD_PERSISTENCE: '', ...env },
  })

describe('npm start', () => {
  it('runs the dog-school scenario on the default (memory) store', () => {
    const out = start()
    expect(out).toMatch(/^Dog school on the memory store$/m)
    expect(out).toMatch(/getDog → \{ name: 'Fido', tricks: \[ 'roll over', 'fetch ball' \] \}/)
    expect(out).toMatch(/Notification log from id 1 \(3 notifications\)/)
    expect(out).toMatch(/dogs by trick → \{ 'fetch ball': 1, 'roll over': 1 \}/)
  }, 60_000)

  it('runs on a SQLite file, which keeps the first run for the second', () => {
    const env = { EVENTFOLD_PERSISTENCE: 'sqlite', EVENTFOLD_SQLITE_PATH: join(dir, 'dogs.db') }
    expect(start(env)).toMatch(/Notification log from id 1 \(3 notifications\)/)
    const again = start(env)
    expect(again).toMatch(/^Dog school on the sqlite store$/m)
    expect(again).toMatch(/Notification log from id 4 \(3 notifications\)/)
    expect(again).toMatch(/dogs by trick → \{ 'fetch ball': 2, 'roll over': 2 \}/)
  }, 60_000)
})
