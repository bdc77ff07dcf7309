// Why a --module could not be imported: not there or not importable as it is (ModuleNotFound, with
// how to load TypeScript only when Node met TypeScript without a loader), or it threw (ModuleFailed).

import { describe, expect, it } from 'vitest'
import { importFailure } from '../../src/cli/module.js'

/** An error as Node's loader throws it, with its code. */
const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code })

describe('importFailure', () => {
  it('is ModuleNotFound with the loader hint for TypeScript that Node met without a loader', () => {
    const error = nodeError('ERR_UNKNOWN_FILE_EXTENSION', 'Unknown file extension ".ts" for /app/src/app.ts')
    const failure = importFailure('src/app.ts', error, true)
    expect(failure.code).toBe('ModuleNotFound')
    expect(failure.message).toMatch(
      /^ModuleNotFound: cannot import src\/app\.ts: Unknown file extension .*--import tsx/,
    )
    expect(failure.cause).toBe(error)
  })

  it('is ModuleNotFound without the hint for a file that is not there, or not a TypeScript one', () => {
    const missing = nodeError('ERR_MODULE_NOT_FOUND', "Cannot find module '/app/src/app.ts'")
    expect(importFailure('src/app.ts', missing, false).message).toMatch(
      /^ModuleNotFound: cannot import src\/app\.ts: there is no file \/.*\/src\/app\.ts$/,
    )
    const directory = nodeError('ERR_UNSUPPORTED_DIR_IMPORT', "Directory import '/app/dist' is not supported")
    expect(importFailure('./dist', directory, true).message).toBe(
      "ModuleNotFound: cannot import ./dist: Directory import '/app/dist' is not supported",
    )
    const unknown = nodeError('ERR_MODULE_NOT_FOUND', "Cannot find package 'shop'")
    expect(importFailure('shop', unknown, false).message).toBe(
      "ModuleNotFound: cannot import shop: Cannot find package 'shop'",
    )
  })

  it("is ModuleFailed with the module's own error, and no hint, for a module that threw", () => {
    const thrown = new TypeError("Cannot read properties of undefined (reading 'b')")
    const failure = importFailure('src/app.ts', thrown, true)
    expect(failure.code).toBe('ModuleFailed')
    expect(failure.message).toMatch(
      /^ModuleFailed: src\/app\.ts failed while being imported: TypeError: Cannot read properties of undefined \(reading 'b'\) \(at \S+module\.test\.ts:\d+:\d+\)$/,
    )
    // One of its own imports missing is its failure, not a module not found.
    const inner = nodeError(
      'ERR_MODULE_NOT_FOUND',
      "Cannot find module '/app/src/dep.js' imported from /app/src/app.ts",
    )
    expect(importFailure('src/app.ts', inner, true)).toMatchObject({ code: 'ModuleFailed', cause: inner })
  })
})
