// The dependency rule of DESIGN.md §2, checked by `npm run deps` inside `npm test`.
const pure = '^src/(evolve|decide|codec|process)/'
const folders = [
  'evolve',
  'decide',
  'codec',
  'process',
  'store',
  'log',
  'application',
  'runners',
  'testing',
  'interface',
  'cli',
  'telemetry',
]
const allowed = {
  evolve: [],
  decide: ['evolve'],
  codec: [],
  process: ['decide', 'evolve'],
  store: ['codec'],
  log: ['store', 'codec'],
  application: ['decide', 'evolve', 'codec', 'store', 'log'],
  runners: ['decide', 'evolve', 'codec', 'store', 'log', 'application', 'process'],
  testing: ['decide', 'evolve', 'codec', 'store', 'log', 'application'],
  interface: ['application', 'codec', 'decide', 'store', 'log'],
  cli: ['decide', 'evolve', 'codec', 'store', 'log', 'application', 'process', 'runners'],
  telemetry: ['store', 'codec'],
}
const layerRules = folders.map((from) => ({
  name: `layer-${from}`,
  comment: `src/${from} may import only ${allowed[from].join(', ') || 'nothing else in src'} (DESIGN.md §2)`,
  severity: 'error',
  from: { path: `^src/${from}/` },
  to: { path: `^src/(${folders.filter((f) => f !== from && !allowed[from].includes(f)).join('|')})/` },
}))
const only = (pkg, where) => ({
  name: `only-${pkg.replace(/\W/g, '')}`,
  comment: `${pkg} is imported only from ${where}`,
  severity: 'error',
  from: { pathNot: where },
  to: { path: `node_modules/${pkg}/` },
})

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'pure-no-node',
      comment: 'pure folders do no I/O: no node:* modules',
      severity: 'error',
      from: { path: pure },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'index-is-the-door',
      comment: "a folder's index.ts is its only door: import another folder through its index",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: {
        path: '^src/([^/]+)/',
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/store/(postgres|sqlite)/index\\.ts$'],
      },
    },
    { name: 'no-circular', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    only('postgres', '^src/store/postgres/'),
    only('better-sqlite3', '^src/store/sqlite/'),
    only('zod', '^src/codec/zod\\.ts$'),
    only('io-ts', '^src/codec/io-ts\\.ts$'),
    only('commander', '^src/cli/'),
    only('cli-progress', '^src/cli/'),
    only('@opentelemetry', '^src/telemetry/'),
    {
      name: 'not-to-runners',
      comment: 'nothing imports runners but the command line (DESIGN.md §2: src/cli may import everything)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(runners|cli)/' },
      to: { path: '^src/runners/' },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    moduleSystems: ['es6'],
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
  },
}
