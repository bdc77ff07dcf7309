// The API reference builds without a warning: every exported name has a doc comment, every link
// resolves, no type it mentions is left out (`npm run docs`, TypeDoc with warnings as errors).

import { execFileSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

describe('the API reference', () => {
  it('builds from the doc comments without warnings', () => {
    const out = join(root, '.tmp', 'api')
    rmSync(out, { recursive: true, force: true })
    const output = execFileSync('bash', [join(root, 'scripts/docs.sh'), '--out', out], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    expect(output).not.toMatch(/warning|error/i)
    expect(existsSync(join(out, 'index.html'))).toBe(true)
    expect(existsSync(join(out, 'modules', 'runners.html'))).toBe(true)
  }, 120_000)
})
