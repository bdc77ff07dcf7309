// The README's table of error codes against the code's list of them, both ways.

import { readFileSync } from 'node:fs'
import { ERROR_CODES } from 'eventfold/codec'
import { describe, expect, it } from 'vitest'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const section = readme.slice(
  readme.indexOf('## Error codes'),
  readme.indexOf('\n## ', readme.indexOf('## Error codes') + 1),
)
const rows = [...section.matchAll(/^\| `([A-Za-z]+)` +\| (.+?) +\|$/gm)].map(([, code, when]) => ({
  code,
  when,
}))

describe("the README's error codes", () => {
  it('are read from a table', () => {
    expect(rows.length).toBeGreaterThan(10)
  })

  it('list every code an EventfoldError can carry', () => {
    const listed = new Set(rows.map((r) => r.code))
    expect(ERROR_CODES.filter((code) => !listed.has(code))).toEqual([])
  })

  it('list only such codes, each once, with when it is raised', () => {
    const known = new Set<string>(ERROR_CODES)
    expect(rows.filter((r) => !known.has(r.code ?? '')).map((r) => r.code)).toEqual([])
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length)
    for (const row of rows) expect(row.when?.length).toBeGreaterThan(10)
  })
})
