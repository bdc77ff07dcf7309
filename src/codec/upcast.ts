// Schema versioning: a chain of upcasters per event type, applied in order on read, each once.

import type { Codec } from './codec.js'
import { left, right } from './either.js'
import { decodeError } from './error.js'
import type { JsonValue } from './json.js'

/** Turns an event's data at schema version N into its data at version N + 1. */
export type Upcaster = (data: JsonValue) => JsonValue

/** For each event type, the upcasters from version 1 upward; the current version is their count + 1. */
export type UpcasterChains = Readonly<Record<string, readonly Upcaster[]>>

/**
 * Wraps a codec so that it writes each type at its current schema version and upcasts older data
 * before decoding. Data from a newer version than the chain knows is UnsupportedSchemaVersion.
 * Law: decode({ type, schemaVersion: n, data }) = decode(current form of data after upcasters n…).
 */
export const withUpcasters = <E>(codec: Codec<E>, chains: UpcasterChains): Codec<E> => {
  const chainOf = (type: string): readonly Upcaster[] =>
    Object.hasOwn(chains, type) ? (chains[type] ?? []) : []
  return {
    types: codec.types,
    encode: (event) => {
      const encoded = codec.encode(event)
      return { ...encoded, schemaVersion: chainOf(encoded.type).length + 1 }
    },
    decode: (encoded) => {
      const { type, schemaVersion } = encoded
      const chain = chainOf(type)
      const current = chain.length + 1
      if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > current) {
        return left(
          decodeError(
            'UnsupportedSchemaVersion',
            type,
            `${type} at schema version ${schemaVersion}; this code knows 1 to ${current}`,
          ),
        )
      }
      let data = encoded.data
      for (let version = schemaVersion; version < current; version++) {
        try {
          data = (chain[version - 1] as Upcaster)(data)
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error)
          return left(
            decodeError(
              'UpcastError',
              type,
              `${type} upcast from v${version} to v${version + 1} failed: ${reason}`,
            ),
          )
        }
      }
      const decoded = codec.decode({ type, schemaVersion: current, data })
      return decoded._tag === 'Left' ? decoded : right(decoded.right)
    },
  }
}
