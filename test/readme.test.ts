// Every ```ts block of the README runs: each is written to .tmp/readme and imported. Blocks check
// themselves with node:assert; a block that declares tests registers them here.

import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '')
const dir = join(root, '.tmp', 'readme')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })

const files = blocks.map((code, i) => {
  const file = join(dir, `block-${i + 1}.ts`)
  // Blocks import this repository's examples as './examples/…'; the files run from .tmp/readme.
  writeFileSync(file, code.replaceAll("from './examples/", "from '../../examples/"))
  return {
    file,
    code,
    name: `README block ${i + 1}: ${code.split('\n').find((l) => l.startsWith('//')) ?? code.split('\n')[0]}`,
  }
})

describe('the README', () => {
  it('has code blocks to run', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5)
  })

  it('code blocks type-check under the project’s strict settings', () => {
    const config = { extends: '../../tsconfig.json', include: ['*.ts'] }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config))
    const tsc = join(root, 'node_modules/.bin/tsc')
    const output = (() => {
      try {
        return execFileSync(tsc, ['-p', dir], { encoding: 'utf8' })
      } catch (error) {
        return String((error as { stdout?: string }).stdout)
      }
    })()
    expect(output).toBe('')
  })
})

for (const { file, code, name } of files) {
  if (/\bdescribe\(/.test(code)) await import(file)
  else
    it(name, async () => {
      await import(file)
    })
}
