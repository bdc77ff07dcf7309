// The built package as a consumer sees it: packed, installed into a scratch project, every subpath
// imported in plain Node, types resolved by tsc, and the core loading none of the optional peers.

import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>
  bin: Record<string, string>
}
const subpaths = Object.keys(manifest.exports)
  .filter((key) => key !== './package.json')
  .map((key) => key.replace(/^\./, 'eventfold'))
const core = subpaths.filter((s) => !/zod|io-ts|testing|postgres|sqlite/.test(s))
const scratch = mkdtempSync(join(tmpdir(), 'eventfold-consumer-'))

const run = (command: string, args: string[], cwd = root): string =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
const tryImport = (specifier: string): string => {
  try {
    run(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(specifier)})`],
      scratch,
    )
    return 'ok'
  } catch (error) {
    return String((error as { stderr?: string }).stderr)
  }
}
const link = (name: string): void =>
  symlinkSync(join(root, 'node_modules', name), join(scratch, 'node_modules', name), 'dir')

beforeAll(() => {
  run('npm', ['run', '-s', 'build'])
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch])) as {
    filename: string
  }[]
  const target = join(scratch, 'node_modules', 'eventfold')
  mkdirSync(target, { recursive: true })
  run('tar', ['-xzf', join(scratch, packed?.filename ?? ''), '-C', target, '--strip-components=1'])
  writeFileSync(join(scratch, 'package.json'), '{ "type": "module" }')
  link('fp-ts')
}, 120_000)
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('the packed package', () => {
  it('passes publint', () => {
    expect(run(join(root, 'node_modules/.bin/publint'), ['run', '--strict'])).toMatch(/All good/)
  })

  it('imports the root and every core subpath with only fp-ts installed (no postgres, zod, io-ts, better-sqlite3)', () => {
    expect(core.length).toBeGreaterThanOrEqual(7)
    for (const specifier of core) expect([specifier, tryImport(specifier)]).toEqual([specifier, 'ok'])
  })

  it('needs each optional peer only for its adapter, which fails clearly without it', () => {
    expect(tryImport('eventfold/codec/zod')).toMatch(/Cannot find package 'zod'/)
    expect(tryImport('eventfold/store/postgres')).toMatch(/Cannot find package 'postgres'/)
    expect(tryImport('eventfold/store/sqlite')).toMatch(/Cannot find package 'better-sqlite3'/)
  })

  it('imports every subpath once the optional peers are installed', () => {
    for (const peer of [
      'zod',
      'io-ts',
      'fast-check',
      'postgres',
      'better-sqlite3',
      'bindings',
      'file-uri-to-path',
    ])
      link(peer)
    for (const specifier of subpaths) expect([specifier, tryImport(specifier)]).toEqual([specifier, 'ok'])
  })

  it('has an eventfold command that migrates the tables of an application', () => {
    const bin = manifest.bin.eventfold ?? ''
    const path = join(scratch, 'cli.db')
    const out = execFileSync(
      process.execPath,
      [join(scratch, 'node_modules/eventfold', bin), 'migrate', '--app', 'shop'],
      {
        cwd: scratch,
        encoding: 'utf8',
        env: { ...process.env, EVENTFOLD_PERSISTENCE: 'sqlite', EVENTFOLD_SQLITE_PATH: path },
      },
    )
    expect(out).toMatch(/shop: sqlite schema migrated from version 0 to \d+/)
  })

  it('resolves the types of every subpath for a TypeScript consumer', () => {
    link('@types')
    const lines = subpaths.map(
      (s, i) => `import * as m${i} from '${s}'\nexport const k${i} = Object.keys(m${i})`,
    )
    writeFileSync(join(scratch, 'consumer.ts'), `${lines.join('\n')}\n`)
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          strict: true,
          noEmit: true,
          types: ['node'],
          skipLibCheck: false,
          exactOptionalPropertyTypes: true,
        },
        files: ['consumer.ts'],
      }),
    )
    expect(run(join(root, 'node_modules/.bin/tsc'), ['-p', scratch])).toBe('')
  })
})
