// A route: one aggregate's commands over HTTP — how a body becomes its command, how a rejection and
// a success are answered, and the state a GET shows. The types stay inside the closures it returns.

import type { Aggregate, Application, Executed } from '../application/index.js'
import { formatPath } from '../codec/index.js'
import type { EventMetadata } from '../store/index.js'
import { type CommandDecoder, decodeCommand } from './command-decoder.js'
import { problem } from './problem.js'

/** How one aggregate is served. */
export interface RouteSpec<C, S, E, R> {
  readonly aggregate: Aggregate<C, S, E, R>
  /** Checks a request body and gives the command (a zod or other Standard Schema, an io-ts type, or a function). */
  readonly commands: CommandDecoder<C>
  /** The status of a domain rejection: 409 (the default) or 422. */
  rejectionStatus?(reason: R): 409 | 422
  /** What a success answers (default: the new events). */
  result?(executed: Executed<S, E>): unknown
  /** The state a GET answers with; without a view, GET is not allowed. */
  view?(state: S): unknown
}

/** What a request asks of a route, once it has been read. */
export interface CommandRequest {
  readonly id: string
  readonly body: unknown
  readonly expectedVersion: number | undefined
  /** `If-Match: *`: the stream must exist already. */
  readonly mustExist?: boolean
  readonly metadata: EventMetadata | undefined
}

/** A route ready to serve: its commands and its state. */
export interface Route {
  readonly aggregate: string
  /** Decodes the request's command, executes it and answers (problem+json on failure). */
  execute(application: Application, request: CommandRequest): Promise<Response>
  /** Undefined when the route has no view (GET is then not allowed). */
  readonly show:
    | ((application: Application, id: string, ifNoneMatch: string | null) => Promise<Response>)
    | undefined
}

const json = (body: unknown, status: number, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

/**
 * True when an If-None-Match header names this version: `*`, or one of a list of entity tags,
 * compared weakly (`W/"3"` matches `"3"`), as RFC 9110 asks of If-None-Match.
 */
export const matchesAny = (header: string | null, version: number): boolean => {
  if (header === null) return false
  if (header.trim() === '*') return true
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etagOf(version))
}

/** The ETag of a stream's version. */
export const etagOf = (version: number): string => `"${version}"`

/** Declares how an aggregate is served (its command codec, its answers); typed by the aggregate. */
export const route = <C, S, E, R>(spec: RouteSpec<C, S, E, R>): Route => ({
  aggregate: spec.aggregate.name,
  execute: async (application, { id, body, expectedVersion, metadata, mustExist }) => {
    const command = await decodeCommand(spec.commands, body)
    if (command._tag === 'Left') {
      const { message, path } = command.left
      return problem({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: `the body is not a command for ${spec.aggregate.name}: ${formatPath(path)}: ${message}`,
        path,
      })
    }
    if (mustExist && (await application.get(spec.aggregate, id)).version === 0)
      return problem({
        type: 'about:blank',
        title: 'Precondition Failed',
        status: 412,
        detail: `If-Match: * and there is no ${spec.aggregate.name} "${id}"`,
      })
    const options = {
      ...(expectedVersion === undefined ? {} : { expectedVersion }),
      ...(metadata === undefined ? {} : { metadata }),
    }
    const result = await application.execute(spec.aggregate, id, command.right, options)
    if (result._tag === 'Left') {
      const status = spec.rejectionStatus?.(result.left) ?? 409
      return problem({ type: 'about:blank', title: 'Command rejected', status, rejection: result.left })
    }
    // Committed: whatever happens now, the answer is a success — a 500 would invite a retry, and a
    // retried command would be recorded twice. A body that cannot be made gives the version only.
    const executed = result.right
    const etag = etagOf(executed.version)
    try {
      const answer = spec.result
        ? spec.result(executed)
        : { version: executed.version, events: executed.events }
      return new Response(JSON.stringify(answer), {
        status: 200,
        headers: { 'content-type': 'application/json', etag },
      })
    } catch {
      return json({ version: executed.version }, 200, { etag })
    }
  },
  show: spec.view
    ? async (application, id, ifNoneMatch) => {
        const { state, version } = await application.get(spec.aggregate, id)
        if (version === 0)
          return problem({
            type: 'about:blank',
            title: 'Not Found',
            status: 404,
            detail: `no ${spec.aggregate.name} "${id}"`,
          })
        const etag = etagOf(version)
        if (matchesAny(ifNoneMatch, version)) return new Response(null, { status: 304, headers: { etag } })
        return json({ version, state: spec.view?.(state) }, 200, { etag })
      }
    : undefined,
})
