// The dependency rule of DESIGN.md §2: checked on the real tree, and shown to fail on broken trees.

import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const depcruise = join(root, 'node_modules/.bin/depcruise')
const config = join(root, '.dependency-cruiser.cjs')
const fixtures: string[] = []
afterAll(() => {
  for (const dir of fixtures) rmSync(dir, { recursive: true, force: true })
})

/** Runs the dependency check on a tree made of `files`; returns its output and whether it passed. */
const cruise = (files: Record<string, string>): { passed: boolean; output: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'eventfold-arch-'))
  fixtures.push(dir)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  try {
    return {
      passed: true,
      output: execFileSync(depcruise, ['src', '--config', config], { cwd: dir, encoding: 'utf8' }),
    }
  } catch (error) {
    return { passed: false, output: String((error as { stdout?: string }).stdout) }
  }
}

const base = {
  'src/evolve/index.ts': 'export const fold = 1\n',
  'src/store/index.ts': "import { x } from '../codec/index.js'\nexport const store = x\n",
  'src/codec/index.ts': 'export const x = 1\n',
  'src/application/index.ts': "import { store } from '../store/index.js'\nexport const app = store\n",
}

describe('the dependency rule', () => {
  it('passes on a tree that follows it', () => {
    expect(cruise(base)).toMatchObject({ passed: true })
  })

  it('fails when a pure folder imports node:*', () => {
    const result = cruise({
      ...base,
      'src/evolve/index.ts': "import { readFileSync } from 'node:fs'\nexport const f = readFileSync\n",
    })
    expect(result.passed).toBe(false)
    expect(result.output).toMatch(/pure-no-node: src\/evolve\/index\.ts → (node:)?fs/)
  })

  it('fails when a lower layer imports a higher one', () => {
    const result = cruise({
      ...base,
      'src/store/index.ts': "import { app } from '../application/index.js'\nexport const s = app\n",
    })
    expect(result.passed).toBe(false)
    expect(result.output).toMatch(/layer-store: src\/store\/index\.ts → src\/application\/index\.ts/)
  })

  it('fails when a folder reaches past another folder’s index', () => {
    const result = cruise({
      ...base,
      'src/codec/inner.ts': 'export const y = 2\n',
      'src/store/index.ts': "import { y } from '../codec/inner.js'\nexport const s = y\n",
    })
    expect(result.passed).toBe(false)
    expect(result.output).toMatch(/index-is-the-door/)
  })

  it('holds on this repository', () => {
    expect(execFileSync(depcruise, ['src', '--config', config], { cwd: root, encoding: 'utf8' })).toMatch(
      /no dependency violations/,
    )
  })
})

describe('the pure folders', () => {
  const impure =
    /\basync\b|\bawait\b|Date\.now\(|new Date\(\)|Math\.random\(|randomUUID|setTimeout|performance\.now|process\./
  const sources = (folder: string): string[] =>
    !existsSync(join(root, 'src', folder))
      ? []
      : readdirSync(join(root, 'src', folder), { recursive: true, encoding: 'utf8' })
          .filter((f) => f.endsWith('.ts'))
          .map((f) => join(root, 'src', folder, f))

  it('do no I/O and use no clock or randomness', () => {
    const offenders = ['evolve', 'decide', 'codec', 'process']
      .flatMap(sources)
      .filter((file) => impure.test(readFileSync(file, 'utf8')))
    expect(offenders).toEqual([])
  })

  it('the check catches an async function and a clock', () => {
    expect(impure.test('export const f = async () => 1')).toBe(true)
    expect(impure.test('const now = Date.now()')).toBe(true)
  })
})
