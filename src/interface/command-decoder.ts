// Commands from request bodies: checked by a zod (or any Standard Schema) schema, an io-ts type, or
// a plain function — whatever the user has — with the path to what was wrong when it fails.

import type { Either } from 'fp-ts/lib/Either.js'
import { left, right } from '../codec/index.js'

/** Why a body is not a command: a message and the path to what was wrong. */
export interface CommandIssue {
  readonly message: string
  readonly path: readonly (string | number)[]
}

/** A Standard Schema (zod 4, valibot, arktype …): what `~standard.validate` promises. */
interface StandardSchema<C> {
  readonly '~standard': {
    readonly validate: (value: unknown) => StandardResult<C> | Promise<StandardResult<C>>
  }
}
type StandardResult<C> =
  | { readonly value: C; readonly issues?: undefined }
  | {
      readonly issues: readonly {
        readonly message: string
        readonly path?: readonly (PathSegment | PropertyKey)[] | undefined
      }[]
    }
type PathSegment = { readonly key: PropertyKey }

/** An io-ts type, as far as decoding goes. */
interface IoTsType<C> {
  readonly decode: (
    value: unknown,
  ) => Either<
    readonly { readonly context: readonly { readonly key: string }[]; readonly message?: string }[],
    C
  >
  readonly name: string
}

/** What checks a command: a Standard Schema, an io-ts type, or a function (returning an Either, or the command, or throwing). */
export type CommandDecoder<C> =
  | StandardSchema<C>
  | IoTsType<C>
  | ((body: unknown) => Either<CommandIssue, C> | C)

const segment = (s: PathSegment | PropertyKey): string | number => {
  const key = typeof s === 'object' ? s.key : s
  return typeof key === 'number' ? key : String(key)
}

const isEither = (value: unknown): value is Either<CommandIssue, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  (((value as { _tag?: unknown })._tag === 'Left' && 'left' in value) ||
    ((value as { _tag?: unknown })._tag === 'Right' && 'right' in value))

/** Checks a body with a decoder; a Left names the path of the first thing wrong. */
export const decodeCommand = async <C>(
  decoder: CommandDecoder<C>,
  body: unknown,
): Promise<Either<CommandIssue, C>> => {
  if (typeof decoder === 'function') {
    try {
      const result = decoder(body)
      return isEither(result) ? (result as Either<CommandIssue, C>) : right(result as C)
    } catch (error) {
      return left({ message: error instanceof Error ? error.message : String(error), path: [] })
    }
  }
  if ('~standard' in decoder) {
    const result = await decoder['~standard'].validate(body)
    if (!result.issues) return right(result.value)
    const [issue] = result.issues
    return left({ message: issue?.message ?? 'invalid', path: (issue?.path ?? []).map(segment) })
  }
  const decoded = decoder.decode(body)
  if (decoded._tag === 'Right') return decoded
  const [error] = decoded.left
  const path = (error?.context ?? []).map((c) => c.key).filter((key) => key !== '')
  return left({ message: error?.message ?? `does not match ${decoder.name}`, path })
}
