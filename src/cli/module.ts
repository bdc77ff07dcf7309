// The application modules a command is given (--module): what they export is read as data — the
// application's aggregates, projection definitions and systems — so any module of the app will do.

import { existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { AnyAggregate } from '../application/index.js'
import type { DocumentProjection, System } from '../process/index.js'
import type { SqlProjection } from '../runners/index.js'
import { CliError } from './errors.js'

/** What the given modules export: each module's, and all merged (the first module to export a name wins). */
export interface AppModule {
  readonly paths: readonly string[]
  readonly each: readonly Readonly<Record<string, unknown>>[]
  readonly exports: ReadonlyMap<string, unknown>
}

/** A projection definition a module exports: a document projection or an SQL projection. */
export type ProjectionDefinition =
  | { readonly _tag: 'Document'; readonly definition: DocumentProjection<unknown, unknown> }
  | { readonly _tag: 'Sql'; readonly definition: SqlProjection<unknown, unknown> }

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

const isFunction = (value: unknown): boolean => typeof value === 'function'

/** True for what `aggregate()` returns: a name, a decider and an event codec. */
export const isAggregate = (value: unknown): value is AnyAggregate =>
  isObject(value) &&
  typeof value.name === 'string' &&
  isObject(value.decider) &&
  isFunction(value.decider.decide) &&
  isFunction(value.decider.evolve) &&
  isObject(value.codec) &&
  isFunction(value.codec.decode) &&
  Array.isArray(value.codec.types)

/** The projection definition `value` is, if it is one. */
export const projectionOf = (value: unknown): ProjectionDefinition | undefined => {
  if (!isObject(value) || typeof value.name !== 'string' || typeof value.version !== 'number')
    return undefined
  if (isFunction(value.keys) && isFunction(value.evolve) && isObject(value.codec))
    return { _tag: 'Document', definition: value as unknown as DocumentProjection<unknown, unknown> }
  if (isFunction(value.handle))
    return { _tag: 'Sql', definition: value as unknown as SqlProjection<unknown, unknown> }
  return undefined
}

const isSystem = (value: unknown): value is System =>
  isObject(value) && Array.isArray(value.applications) && isObject(value.follows)

const TYPESCRIPT = /\.[cm]?tsx?$/

/** Node's codes for a TypeScript module that no loader took (Node cannot run it as it is). */
const NO_LOADER = new Set([
  'ERR_UNKNOWN_FILE_EXTENSION',
  'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX',
  'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING',
])

/** Node's codes for a module it found but cannot import as it is (a directory, an unexported subpath). */
const UNLOADABLE = new Set([
  ...NO_LOADER,
  'ERR_UNSUPPORTED_DIR_IMPORT',
  'ERR_PACKAGE_PATH_NOT_EXPORTED',
  'ERR_INVALID_MODULE_SPECIFIER',
])

const codeOf = (error: unknown): unknown => (isObject(error) ? error.code : undefined)

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** A module's own error: its message, after its name unless plain, and where it was thrown. */
const thrown = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error)
  const frame = error.stack?.split('\n').find((line) => /^\s+at /.test(line) && !line.includes('node:'))
  const where = frame && /\(?([^\s()]+:\d+:\d+)\)?$/.exec(frame)?.[1]
  const name = error.name === 'Error' ? '' : `${error.name}: `
  return `${name}${error.message}${where ? ` (at ${where})` : ''}`
}

/**
 * Why importing `path` failed: ModuleNotFound when there is no such module (`found` false) or Node
 * cannot import it as it is — with how to load TypeScript when that is why — and ModuleFailed when
 * it was found and importing it threw (its own code, or one of its imports).
 */
export const importFailure = (path: string, error: unknown, found: boolean): CliError => {
  if (!found)
    return new CliError(
      'ModuleNotFound',
      `cannot import ${path}: ${isLocal(path) ? `there is no file ${resolve(path)}` : messageOf(error)}`,
      { cause: error },
    )
  const code = codeOf(error)
  if (typeof code === 'string' && UNLOADABLE.has(code)) {
    const hint =
      TYPESCRIPT.test(path) && NO_LOADER.has(code)
        ? " (a TypeScript module needs a loader: NODE_OPTIONS='--import tsx', or point at the compiled .js)"
        : ''
    return new CliError('ModuleNotFound', `cannot import ${path}: ${messageOf(error)}${hint}`, {
      cause: error,
    })
  }
  return new CliError('ModuleFailed', `${path} failed while being imported: ${thrown(error)}`, {
    cause: error,
  })
}

/** True for a path from the working directory (rather than a package name). */
const isLocal = (path: string): boolean =>
  path.startsWith('.') || isAbsolute(path) || /\.[cm]?[jt]sx?$/.test(path)

/** True when `specifier` names a module there is (a file, or a package that resolves). */
const exists = (path: string, specifier: string): boolean => {
  if (isLocal(path)) return existsSync(resolve(path))
  try {
    import.meta.resolve(specifier)
    return true
  } catch {
    return false
  }
}

/** Imports each module (a path from the working directory, or a package name). */
export const loadModules = async (paths: readonly string[]): Promise<AppModule> => {
  const merged = new Map<string, unknown>()
  const each: Record<string, unknown>[] = []
  for (const path of paths) {
    const specifier = isLocal(path) ? pathToFileURL(resolve(path)).href : path
    let loaded: Record<string, unknown>
    try {
      loaded = (await import(specifier)) as Record<string, unknown>
    } catch (error) {
      throw importFailure(path, error, exists(path, specifier))
    }
    each.push(loaded)
    for (const [name, value] of Object.entries(loaded)) if (!merged.has(name)) merged.set(name, value)
  }
  return { paths, each, exports: merged }
}

/**
 * The application's aggregates: from each module, its export `aggregates` (an array) if it has one,
 * otherwise every aggregate it exports; ExportNotFound when there are none.
 */
export const aggregatesOf = (module: AppModule): readonly AnyAggregate[] => {
  const byName = new Map<string, AnyAggregate>()
  module.each.forEach((exports, i) => {
    const listed = exports.aggregates
    if (listed !== undefined && !(Array.isArray(listed) && listed.every(isAggregate)))
      throw new CliError(
        'ExportNotFound',
        `the export "aggregates" of ${module.paths[i]} is not an array of aggregates`,
      )
    const found = Array.isArray(listed) ? listed : Object.values(exports).filter(isAggregate)
    for (const aggregate of found) if (!byName.has(aggregate.name)) byName.set(aggregate.name, aggregate)
  })
  if (byName.size === 0)
    throw new CliError(
      'ExportNotFound',
      `${module.paths.join(', ')} exports no aggregates (export them, or an array of them named "aggregates")`,
    )
  return [...byName.values()]
}

/** The projection definition exported as `name`; ExportNotFound naming those there are otherwise. */
export const projectionNamed = (module: AppModule, name: string): ProjectionDefinition => {
  const found = projectionOf(module.exports.get(name))
  if (found) return found
  const there = projectionsOf(module).map(([exported]) => exported)
  throw new CliError(
    'ExportNotFound',
    `${module.paths.join(', ')} exports no projection named "${name}" ` +
      `(its projections: ${there.join(', ') || 'none'})`,
  )
}

/** Every projection definition the modules export, with its export name. */
export const projectionsOf = (module: AppModule): readonly (readonly [string, ProjectionDefinition])[] =>
  [...module.exports].flatMap(([name, value]) => {
    const projection = projectionOf(value)
    return projection ? [[name, projection] as const] : []
  })

/** The applications `app` follows in the systems the modules export. */
export const upstreamsOf = (module: AppModule, app: string): readonly string[] => {
  const upstreams = new Set<string>()
  for (const value of module.exports.values())
    if (isSystem(value)) for (const upstream of value.follows[app] ?? []) upstreams.add(upstream)
  return [...upstreams]
}
