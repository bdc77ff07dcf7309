// Cold start: what a serverless function pays before its first answer — the bundle it ships
// (esbuild, minified and gzipped) and the time from a fresh `node` process to one command answered
// on PostgreSQL with the tables present.

import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { migrate } from 'eventfold/application'
import postgres from 'postgres'
import { median, type Row } from './measure.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>
}
const peers = Object.keys(manifest.peerDependencies)
const dist = (path: string): string => JSON.stringify(join(root, 'dist', path))

/**
 * Minified and gzipped sizes, in kB, of a bundle of `entry` (ESM for Node 20; `external` left out).
 * With `split`, modules imported with `import()` go to chunks of their own, and the figures are of
 * what loads at start: the entry chunk and the chunks it imports statically (each gzipped alone).
 */
const bundleSizes = async (
  entry: string,
  external: readonly string[],
  split = false,
): Promise<[number, number]> => {
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [...external],
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
    outdir: join(root, '.tmp/bundle'),
    splitting: split,
  })
  const outputs = result.metafile.outputs
  const start = Object.keys(outputs).find((path) => outputs[path]?.entryPoint === '<stdin>') ?? ''
  const loaded = new Set<string>()
  const visit = (path: string): void => {
    if (loaded.has(path)) return
    loaded.add(path)
    for (const i of outputs[path]?.imports ?? [])
      if (i.kind === 'import-statement' && !i.external) visit(i.path)
  }
  visit(start)
  const files = result.outputFiles.filter((f) => loaded.has(relative(root, f.path)))
  const sum = (size: (code: Uint8Array) => number): number =>
    files.reduce((total, f) => total + size(f.contents), 0) / 1000
  return [sum((code) => code.length), sum((code) => gzipSync(code).length)]
}

const sizeRows = async (label: string, entry: string, external: readonly string[]): Promise<Row[]> => {
  const [min, gz] = await bundleSizes(entry, external)
  return [
    { name: `bundle: ${label}, minified`, value: min, unit: 'kB' },
    { name: `bundle: ${label}, minified + gzipped`, value: gz, unit: 'kB' },
  ]
}

/** Bundle sizes of the core and of what a PostgreSQL command handler ships (the package's own code: peers external, fp-ts bundled). */
export const bundles = async (): Promise<Row[]> => {
  const core = `export * from ${dist('index.js')}`
  const rows = await sizeRows(`'eventfold' (peers external)`, core, peers)
  // The core's bundle holds the SQLite and PostgreSQL recorders: the environment's configuration
  // imports them with import(), which a bundler inlines unless it splits code.
  const [, startup] = await bundleSizes(core, peers, true)
  rows.push({
    name: `bundle: 'eventfold' split (--splitting), what loads at start, minified + gzipped`,
    value: startup,
    unit: 'kB',
  })
  const withInterface = existsSync(join(root, 'src/interface/index.ts'))
  if (!withInterface) console.log('(eventfold/interface is not there yet: bundled without a command handler)')
  const parts = [
    `export * from ${dist('index.js')}`,
    `export * as postgresRecorder from ${dist('store/postgres/index.js')}`,
    ...(withInterface ? [`export * as commandHandler from ${dist('interface/index.js')}`] : []),
  ].join('\n')
  const label = `'eventfold' + '/store/postgres'${withInterface ? " + '/interface'" : ''}`
  rows.push(...(await sizeRows(`${label} (peers external)`, parts, peers)))
  const [, deployed] = await bundleSizes(
    parts,
    peers.filter((p) => p !== 'postgres'),
  )
  rows.push({
    name: `bundle: ${label} with the postgres driver bundled, minified + gzipped`,
    value: deployed,
    unit: 'kB',
  })
  return rows
}

// Run by a fresh `node` in the repository, so that 'eventfold' is the built package (dist/).
// performance.now() counts from the process's time origin (its start).
const firstAnswerScript = `
const started = performance.now()
const { aggregate, application, jsonCodec } = await import('eventfold')
const imported = performance.now()
const counter = aggregate({
  name: 'counter',
  decider: { initialState: 0, decide: (c) => [{ type: 'Incremented', by: c.by }], evolve: (n, e) => n + e.by },
  codec: jsonCodec({ Incremented: true }),
})
const app = application({ name: 'cold', aggregates: [counter] })
const result = await app.execute(counter, process.env.STREAM, { type: 'Increment', by: 1 })
const answered = performance.now()
if (result._tag !== 'Right') throw new Error('rejected')
console.log(JSON.stringify({ started, imported, answered }))
await app.close()
`

interface Timings {
  readonly started: number
  readonly imported: number
  readonly answered: number
}

// NODE_OPTIONS emptied: the child is a bare `node`, whatever the benchmark itself runs with.
const spawnNode = (args: string[], env: NodeJS.ProcessEnv): string =>
  execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...env, NODE_OPTIONS: '' } })

/** Milliseconds from spawning a bare `node -e ''` to its exit, median of 5. */
const bareNode = (): number =>
  median(
    Array.from({ length: 5 }, () => {
      const start = performance.now()
      spawnNode(['-e', ''], process.env)
      return performance.now() - start
    }),
  )

/** Times from a fresh `node` to one command answered on PostgreSQL (median of 5), and bare `node` for comparison. */
export const firstAnswer = async (url: string): Promise<Row[]> => {
  const schema = `bench_cold_${Date.now().toString(36)}`
  const env = {
    ...process.env,
    EVENTFOLD_PERSISTENCE: 'postgres',
    DATABASE_URL: url,
    EVENTFOLD_PG_SCHEMA: schema,
    EVENTFOLD_CREATE_TABLES: 'false', // the tables exist: a run that had to create them would fail
  }
  await migrate({ name: 'cold', env })
  const run = (i: number): Timings =>
    JSON.parse(spawnNode(['--input-type=module', '-e', firstAnswerScript], { ...env, STREAM: `c-${i}` }))
  run(0) // warm-up: the file system cache, PostgreSQL's buffers
  const runs = Array.from({ length: 5 }, (_, i) => run(i + 1))
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  await sql.unsafe(`drop schema "${schema}" cascade`)
  await sql.end()
  const of = (pick: (t: Timings) => number): number => median(runs.map(pick))
  const row = (name: string, value: number): Row => ({ name: `cold start: ${name}`, value, unit: 'ms' })
  return [
    row("bare `node -e ''`, spawn to exit (median of 5)", bareNode()),
    row(
      "process start to the script's first line (median of 5)",
      of((t) => t.started),
    ),
    row(
      "process start to 'eventfold' imported (median of 5)",
      of((t) => t.imported),
    ),
    row(
      'process start to the first command answered on PostgreSQL (median of 5)',
      of((t) => t.answered),
    ),
  ]
}

/** The cold-start figures: bundle sizes always, the first answer when PostgreSQL is configured. */
export const coldStart = async (url: string | undefined): Promise<Row[]> => {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: root })
  const rows = await bundles()
  if (url) rows.push(...(await firstAnswer(url)))
  else console.log('(cold start on PostgreSQL skipped: set DATABASE_URL)')
  return rows
}
