// The README's table of environment variables and the variables src/application/config.ts reads are
// the same set: a variable added to the code without a row, or a row left after its code, fails here.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const source = readFileSync(join(root, 'src/application/config.ts'), 'utf8')
const readme = readFileSync(join(root, 'README.md'), 'utf8')

const read = new Set([...source.matchAll(/'(EVENTFOLD_[A-Z_]+|DATABASE_URL)'/g)].map((m) => m[1] ?? ''))

/** The rows of the first table after the README's "Configuration from the environment" paragraph. */
const rows = (): string[][] => {
  const start = readme.indexOf('**Configuration from the environment**')
  if (start < 0) throw new Error('README.md has no "Configuration from the environment" paragraph')
  const lines = readme.slice(start).split('\n')
  const first = lines.findIndex((line) => line.startsWith('|'))
  const end = lines.findIndex((line, i) => i > first && !line.startsWith('|'))
  return lines.slice(first + 2, end).map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  )
}

const documented = rows().map(([variable]) => (variable ?? '').replace(/^`(.*)`$/, '$1'))

describe("the README's table of environment variables", () => {
  it('is found, and so are the variables the code reads', () => {
    expect(documented.length).toBeGreaterThanOrEqual(4)
    expect([...read]).toContain('EVENTFOLD_PERSISTENCE')
    expect([...read]).toContain('DATABASE_URL')
  })

  it('lists every variable the code reads', () => {
    expect([...read].filter((name) => !documented.includes(name))).toEqual([])
  })

  it('lists only variables the code reads, each once, with what it means', () => {
    expect(documented.filter((name) => !read.has(name))).toEqual([])
    expect(new Set(documented).size).toBe(documented.length)
    for (const [variable, meaning] of rows()) expect(meaning, variable).not.toBe('')
  })
})
