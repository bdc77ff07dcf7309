// The built package as a consumer sees it: packed, installed into a scratch project, every subpath
// imported in plain Node, types resolved by tsc, and the core loading none of the optional peers;
// installed by npm as a file dependency and as a git dependency, as the README says.

import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
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
const core = subpaths.filter((s) => !/zod|io-ts|testing|postgres|sqlite|telemetry/.test(s))
const scratch = mkdtempSync(join(tmpdir(), 'eventfold-consumer-'))
let tarball = ''

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
  tarball = join(scratch, packed?.filename ?? '')
  const target = join(scratch, 'node_modules', 'eventfold')
  mkdirSync(target, { recursive: true })
  run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'])
  writeFileSync(join(scratch, 'package.json'), '{ "type": "module" }')
  link('fp-ts')
}, 120_000)
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('the packed package', () => {
  it('passes publint', () => {
    expect(run(join(root, 'node_modules/.bin/publint'), ['run', '--strict'])).toMatch(/All good/)
  })

  it('imports the root and every core subpath with only fp-ts installed (no postgres, zod, io-ts, better-sqlite3, commander, cli-progress)', () => {
    expect(core.length).toBeGreaterThanOrEqual(7)
    for (const specifier of core) expect([specifier, tryImport(specifier)]).toEqual([specifier, 'ok'])
  })

  it('needs each optional peer only for its adapter, which fails clearly without it', () => {
    expect(tryImport('eventfold/codec/zod')).toMatch(/Cannot find package 'zod'/)
    expect(tryImport('eventfold/store/postgres')).toMatch(/Cannot find package 'postgres'/)
    expect(tryImport('eventfold/store/sqlite')).toMatch(/Cannot find package 'better-sqlite3'/)
    expect(tryImport('eventfold/telemetry')).toMatch(/Cannot find package '@opentelemetry\/api'/)
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
      '@opentelemetry',
    ])
      link(peer)
    for (const specifier of subpaths) expect([specifier, tryImport(specifier)]).toEqual([specifier, 'ok'])
  })

  it('has an eventfold command that migrates the tables of an application', () => {
    // The command line's own dependencies, which a consumer's npm installs (the core never loads them).
    for (const dependency of [
      'commander',
      'cli-progress',
      'string-width',
      'strip-ansi',
      'ansi-regex',
      'emoji-regex',
      'is-fullwidth-code-point',
    ])
      link(dependency)
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

/** Every file under `dir`, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))

/** A new npm project in a temporary directory, with this package.json. */
const project = (prefix: string, manifest: object): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module', ...manifest }))
  return dir
}

const npmInstall = (cwd: string, args: string[] = []): string =>
  run('npm', ['install', '--no-audit', '--no-fund', ...args], cwd)

/** What a consumer's `node` prints after importing eventfold. */
const consume = (cwd: string): string =>
  run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const e = await import('eventfold'); console.log(typeof e.application, typeof e.jsonCodec)",
    ],
    cwd,
  ).trim()

describe('the packed source maps', () => {
  it('point only at sources the package ships', () => {
    const packageRoot = join(scratch, 'node_modules', 'eventfold')
    const maps = filesUnder(packageRoot).filter((file) => file.endsWith('.map'))
    expect(maps.length).toBeGreaterThan(0) // tsconfig.build.json emits them, and "files" ships src/
    const unresolved = maps.flatMap((map) => {
      const { sources, sourceRoot = '' } = JSON.parse(readFileSync(map, 'utf8')) as {
        sources: string[]
        sourceRoot?: string
      }
      expect(sources.length).toBeGreaterThan(0)
      return sources
        .map((source) => resolve(dirname(map), sourceRoot, source))
        .filter((path) => relative(packageRoot, path).startsWith('..') || !existsSync(path))
        .map((path) => `${relative(packageRoot, map)} → ${path}`)
    })
    expect(unresolved).toEqual([])
  })
})

describe('installing eventfold from one’s own project', () => {
  it('installs the packed .tgz as a file dependency with npm install', () => {
    const consumer = project('eventfold-tgz-', { dependencies: { eventfold: `file:${tarball}` } })
    try {
      npmInstall(consumer)
      expect(existsSync(join(consumer, 'node_modules/fp-ts/package.json'))).toBe(true)
      expect(consume(consumer)).toBe('function function')
    } finally {
      rmSync(consumer, { recursive: true, force: true })
    }
  }, 60_000)

  // A git dependency has no dist/ (it is not committed): npm clones the repository, installs its
  // dependencies and devDependencies there, and runs `prepare` (npm run build) before packing it.
  // The copy committed here is the working tree, with one change: better-sqlite3's install script
  // is denied, since `prepare` needs only TypeScript and compiling SQLite when no prebuilt binary
  // can be downloaded takes over a minute on a 2-core machine (11 s instead of 66 s here).
  it('installs a git dependency, whose prepare script builds dist/', () => {
    const repo = mkdtempSync(join(tmpdir(), 'eventfold-repo-'))
    const consumer = project('eventfold-git-', { allowScripts: { [`git+file://${repo}`]: true } })
    try {
      const tracked = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
      for (const file of tracked.split('\0').filter((f) => f !== '' && existsSync(join(root, f))))
        cpSync(join(root, file), join(repo, file))
      const manifestPath = join(repo, 'package.json')
      const copy = JSON.parse(readFileSync(manifestPath, 'utf8')) as { allowScripts: object }
      copy.allowScripts = { ...copy.allowScripts, 'better-sqlite3': false }
      writeFileSync(manifestPath, JSON.stringify(copy, null, 2))
      const git = (...args: string[]): string =>
        run('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], repo)
      git('init', '-q')
      git('add', '-A')
      git('commit', '-q', '--no-gpg-sign', '-m', 'snapshot')
      expect(git('ls-files', 'dist')).toBe('')
      const commit = git('rev-parse', 'HEAD').trim()
      // --strict-allow-scripts: the consumer's allowScripts entry is what lets `prepare` run.
      npmInstall(consumer, ['--strict-allow-scripts', `git+file://${repo}#${commit}`])
      expect(existsSync(join(consumer, 'node_modules/eventfold/dist/index.js'))).toBe(true)
      expect(consume(consumer)).toBe('function function')
    } finally {
      rmSync(repo, { recursive: true, force: true })
      rmSync(consumer, { recursive: true, force: true })
    }
  }, 120_000)
})
