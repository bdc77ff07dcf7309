// Import cost of the built package, in a fresh Node process each time (what a cold serverless start pays).

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, type Row } from './measure.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>
}
/** Every subpath of the package's exports, as a consumer imports it. */
const subpaths = Object.keys(manifest.exports)
  .filter((key) => key !== './package.json')
  .map((key) => key.replace(/^\./, 'eventfold'))

const importMs = (specifier: string): number => {
  const code = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t)`
  return Number(
    execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }),
  )
}

export const importCosts = (): Row[] => {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: root })
  return subpaths.map((specifier) => ({
    name: `import '${specifier}' in a fresh process (median of 7)`,
    value: median(Array.from({ length: 7 }, () => importMs(specifier))),
    unit: 'ms',
  }))
}
