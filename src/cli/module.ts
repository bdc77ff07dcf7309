// The application modules a command is given (--module): what they export is read as data — the
// application's aggregates, projection definitions and systems — so any module of the app will do.

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

/** Imports each module (a path from the working directory, or a package name). */
export const loadModules = async (paths: readonly string[]): Promise<AppModule> => {
  const merged = new Map<string, unknown>()
  const each: Record<string, unknown>[] = []
  for (const path of paths) {
    const local = path.startsWith('.') || isAbsolute(path) || /\.[cm]?[jt]sx?$/.test(path)
    const specifier = local ? pathToFileURL(resolve(path)).href : path
    let loaded: Record<string, unknown>
    try {
      loaded = (await import(specifier)) as Record<string, unknown>
    } catch (error) {
      const hint = /\.[cm]?tsx?$/.test(path)
        ? " (a TypeScript module needs a loader: NODE_OPTIONS='--import tsx', or point at the compiled .js)"
        : ''
      throw new CliError(
        'ModuleNotFound',
        `cannot import ${path}: ${error instanceof Error ? error.message : String(error)}${hint}`,
        { cause: error },
      )
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
