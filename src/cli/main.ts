#!/usr/bin/env node
// The `eventfold` command line: migrate, tail, stream, lag, rebuild, reencrypt, erase — each on the
// store an application's environment configures. Exit codes: 0 done, 1 failed, 2 usage, 130 interrupted.

import { readFileSync } from 'node:fs'
import { failure } from './errors.js'
import { createProgram } from './program.js'

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string
}

// A reader that went away (`eventfold tail | head`) ends the command quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

createProgram(version)
  .parseAsync(process.argv.slice(2), { from: 'user' })
  .then(
    () => 0,
    (error: unknown) => {
      const { message, code } = failure(error)
      if (message !== undefined) process.stderr.write(`${message}\n`)
      return code
    },
  )
  .then((code) => {
    process.exitCode = code
  })
