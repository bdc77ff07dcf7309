import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^eventfold$/, replacement: src('index.ts') },
      { find: /^eventfold\/codec\/(zod|io-ts)$/, replacement: src('codec/$1.ts') },
      { find: /^eventfold\/store\/(postgres|sqlite)$/, replacement: src('store/$1/index.ts') },
      { find: /^eventfold\/(\w+)$/, replacement: src('$1/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
