// Sensitive metadata fields: each sealed with AES-256-GCM under the keyring's current key, bound
// to its stream, version and field name, and kept as `{ "$sealed": "<key id>.<base64>" }` — the rest
// of the metadata stays readable by the log.

import { EventfoldError, type JsonValue } from '../codec/index.js'
import { type Keyring, open, seal } from './cipher.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** A sealed field as stored. */
export type SealedField = { readonly $sealed: string }

/** True for a value that `sealField` made. */
export const isSealedField = (value: unknown): value is SealedField =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { $sealed?: unknown }).$sealed === 'string' &&
  Object.keys(value).length === 1

const aad = (streamId: string, version: number, field: string) =>
  encoder.encode(`metadata\u0000${field}\u0000${streamId}\u0000${version}`)

/** Seals and opens metadata fields with a keyring (the methods a mapper with a keyring offers). */
export const fieldSealing = (keyring: Keyring | undefined) => {
  const need = (): Keyring => {
    if (!keyring)
      throw new EventfoldError(
        'InvalidConfiguration',
        'sensitive metadata needs encryption: set EVENTFOLD_CIPHER_KEY',
      )
    return keyring
  }
  return {
    /** The field's value sealed under the current key, bound to its stream, version and name. */
    sealField: (streamId: string, version: number, field: string, value: JsonValue): SealedField => {
      const ring = need()
      const key = ring.keys.get(ring.current) as Uint8Array
      const sealed = seal(key, encoder.encode(JSON.stringify(value)), aad(streamId, version, field))
      return { $sealed: `${ring.current}.${Buffer.from(sealed).toString('base64')}` }
    },
    /** A sealed field's value; DecryptionError when its key is unknown or it was altered or moved. */
    openField: (streamId: string, version: number, field: string, sealed: SealedField): JsonValue => {
      const context = { streamId, version, field }
      const [keyId = '', body = ''] = sealed.$sealed.split('.')
      const key = need().keys.get(keyId)
      if (!key)
        throw new EventfoldError('DecryptionError', `no key with id "${keyId}" in the keyring`, context)
      const plain = open(key, Buffer.from(body, 'base64'), aad(streamId, version, field), context)
      return JSON.parse(decoder.decode(plain)) as JsonValue
    },
  }
}
