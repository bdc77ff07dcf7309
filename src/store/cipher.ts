// Application-level encryption: AES-256-GCM from node:crypto, a fresh random nonce per record, a
// key id in the envelope, and associated data that binds the ciphertext to its row.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { EventfoldError } from '../codec/index.js'

/** AES-256 keys by id, and the id of the one new records are written with. */
export interface Keyring {
  readonly current: string
  readonly keys: ReadonlyMap<string, Uint8Array>
}

const KEY_BYTES = 32
const NONCE_BYTES = 12
const TAG_BYTES = 16

/** The id of a key: the first 8 hex digits of a hash of it, so ids need no naming and reveal nothing. */
export const keyIdOf = (key: Uint8Array): string =>
  createHash('sha256').update('eventfold key id\u0000').update(key).digest('hex').slice(0, 8)

/** Decodes a base64 key of 32 bytes; throws InvalidConfiguration naming `what` otherwise. */
export const parseKey = (base64: string, what = 'EVENTFOLD_CIPHER_KEY'): Uint8Array => {
  const text = base64.trim()
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text))
    throw new EventfoldError('InvalidConfiguration', `${what} is not base64`)
  const key = new Uint8Array(
    Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64'),
  )
  if (key.length !== KEY_BYTES) {
    throw new EventfoldError(
      'InvalidConfiguration',
      `${what} must decode to ${KEY_BYTES} bytes, not ${key.length}`,
    )
  }
  return key
}

/** A new random key, base64: what EVENTFOLD_CIPHER_KEY holds. */
export const generateKey = (): string => randomBytes(KEY_BYTES).toString('base64')

/** A keyring that writes with `current` and reads with it and every older key. */
export const createKeyring = (current: Uint8Array, older: readonly Uint8Array[] = []): Keyring => {
  for (const key of [current, ...older]) {
    if (key.length !== KEY_BYTES)
      throw new EventfoldError('InvalidConfiguration', `keys must be ${KEY_BYTES} bytes`)
  }
  return { current: keyIdOf(current), keys: new Map([...older, current].map((key) => [keyIdOf(key), key])) }
}

/** Encrypts `plain` under `key`: nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes). */
export const seal = (key: Uint8Array, plain: Uint8Array, aad: Uint8Array): Uint8Array => {
  const nonce = randomBytes(NONCE_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  cipher.setAAD(aad)
  const body = cipher.update(plain)
  const last = cipher.final()
  return Buffer.concat([nonce, body, last, cipher.getAuthTag()])
}

/** Decrypts what `seal` made; throws DecryptionError when the key, data or associated data differ. */
export const open = (
  key: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
  context: Record<string, unknown>,
): Uint8Array => {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) {
    throw new EventfoldError('DecryptionError', 'encrypted data is truncated', context)
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES))
    decipher.setAAD(aad)
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
    return Buffer.concat([
      decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
      decipher.final(),
    ])
  } catch (error) {
    throw new EventfoldError(
      'DecryptionError',
      'encrypted data does not authenticate: wrong key, altered bytes, or moved from another row',
      context,
      { cause: error },
    )
  }
}
