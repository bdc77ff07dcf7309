// The mapper: encoded events to stored bytes and back — JSON, then optionally compressed, then
// optionally encrypted (with the application's keyring, or with a data subject's own key).
//
// Stored data is one of: UTF-8 JSON (its first byte is printable), or an envelope whose first byte
// says what it is — 0x01 compressed ([algorithm][bytes]), 0x02 encrypted with a keyring key
// ([id length][key id][nonce ‖ ciphertext ‖ tag]), 0x03 encrypted with a data subject's key
// ([label length: 2 bytes][subject NUL data-key id][nonce ‖ ciphertext ‖ tag]). Encryption wraps compression.

import { randomBytes } from 'node:crypto'
import { type Codec, type Encoded, EventfoldError, type JsonValue } from '../codec/index.js'
import { type Keyring, keyIdOf, open, seal } from './cipher.js'
import { COMPRESSION_IDS, type Compression, compress, decompress } from './compression.js'
import type { Notification, StoredEvent } from './records.js'
import { fieldSealing, type SealedField } from './sealed-fields.js'

/** What a stored record holds: an event, or a snapshot of a stream's state. */
export type RecordKind = 'event' | 'snapshot'

/** The keys of data subjects, loaded before mapping: `null` for a subject whose key was erased. */
export type DataKeys = ReadonlyMap<string, Uint8Array | null>

/** How the mapper stores data. */
export interface MapperOptions {
  readonly compression?: Compression
  /** Data smaller than this many bytes is stored uncompressed (default 256). */
  readonly compressAbove?: number
  readonly keyring?: Keyring
  /** With a keyring: read unencrypted rows too, e.g. while a store is being encrypted (default false). */
  readonly acceptPlaintext?: boolean
  /** The most bytes of JSON a record may hold, written or inflated (default 16 MiB). */
  readonly maxBytes?: number
}

/** Options of one record: its kind (bound into the encryption) and its data subject's key. */
export interface RecordOptions {
  readonly kind?: RecordKind
  readonly subject?: { readonly id: string; readonly key: Uint8Array }
}

/** Converts between a codec's encoded events and the recorder's stored events. */
export interface Mapper {
  /** An encoded event (or state) as stored at (`streamId`, `version`): JSON bytes, compressed and encrypted as configured. */
  toStored(streamId: string, version: number, encoded: Encoded, options?: RecordOptions): StoredEvent
  /**
   * Throws a typed error naming the stream, version and notification id: DecodeError,
   * DecompressionError, DecryptionError, PayloadTooLarge — or EventErased for a subject whose key is gone.
   */
  toEncoded(stored: StoredEvent, options?: { readonly kind?: RecordKind; readonly keys?: DataKeys }): Encoded
  /** The data subject whose key encrypts this record, if any: load its key before `toEncoded`. */
  subjectOf(stored: StoredEvent): string | undefined
  /** True when the mapper has a keyring, so it can encrypt and wrap data keys. */
  readonly encrypts: boolean
  /** A new random data key for a subject. */
  newDataKey(): Uint8Array
  /** Encrypts a subject's data key under the keyring's current key (needs a keyring). */
  wrapKey(subject: string, key: Uint8Array): Uint8Array
  /** Decrypts a wrapped data key; DecryptionError if it was altered or its master key is unknown. */
  unwrapKey(subject: string, wrapped: Uint8Array): Uint8Array
  /** The wrapped key under the current master key, or undefined when it is under it already. */
  rewrapKey(subject: string, wrapped: Uint8Array): Uint8Array | undefined
  /**
   * The record encrypted under the keyring's current key, or undefined when it is already (records
   * encrypted with a subject's key stay as they are: their subject's key is re-wrapped instead).
   */
  reseal(stored: StoredEvent, kind?: RecordKind): StoredEvent | undefined
  /** Seals a sensitive metadata field (needs a keyring), bound to its stream, version and name. */
  sealField(streamId: string, version: number, field: string, value: JsonValue): SealedField
  /** Opens a sealed metadata field; DecryptionError when its key is unknown or it was altered or moved. */
  openField(streamId: string, version: number, field: string, sealed: SealedField): JsonValue
}

const NO_OPTIONS: RecordOptions = {}
const COMPRESSED = 0x01
const ENCRYPTED = 0x02
const SUBJECT = 0x03
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * The UTF-8 bytes of a string. Node's Buffer.from writes small ones into a shared block instead of
 * allocating a buffer each (as TextEncoder does): a view of those bytes is far cheaper to make and collect.
 */
const utf8 = (text: string): Uint8Array => {
  const buffer = Buffer.from(text, 'utf8')
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

const contextOf = (stored: StoredEvent): Record<string, unknown> => ({
  streamId: stored.streamId,
  version: stored.version,
  type: stored.type,
  ...('id' in stored ? { notificationId: (stored as Notification).id } : {}),
})

/** The associated data of a record: encrypted bytes moved to another row, or kind, fail to decrypt. */
const associatedData = (
  kind: RecordKind,
  streamId: string,
  version: number,
  type: string,
  schemaVersion: number,
) => encoder.encode(JSON.stringify([kind, streamId, version, type, schemaVersion]))

const header = (format: number, label: Uint8Array, wide: boolean): Uint8Array =>
  Uint8Array.from([format, ...(wide ? [label.length >> 8, label.length & 0xff] : [label.length]), ...label])

/** Splits an envelope into its label (key id or subject) and the sealed bytes after it. */
const unwrap = (bytes: Uint8Array, wide: boolean, context: Record<string, unknown>): [string, Uint8Array] => {
  const size = wide ? ((bytes[1] ?? 0) << 8) | (bytes[2] ?? 0) : (bytes[1] ?? 0)
  const start = wide ? 3 : 2
  if (bytes.length < start + size)
    throw new EventfoldError('DecryptionError', 'encrypted envelope is truncated', context)
  return [new TextDecoder().decode(bytes.subarray(start, start + size)), bytes.subarray(start + size)]
}

const keyIds = new WeakMap<Uint8Array, string>()
/** The id of a data key, hashed once per key object. */
const cachedKeyId = (key: Uint8Array): string => {
  let id = keyIds.get(key)
  if (id === undefined) {
    id = keyIdOf(key)
    keyIds.set(key, id)
  }
  return id
}

/** Creates a mapper; without options it stores plain UTF-8 JSON. */
export const createMapper = (options: MapperOptions = {}): Mapper => {
  const { compression, keyring, acceptPlaintext = false } = options
  const compressAbove = options.compressAbove ?? 256
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024

  const toStored = (
    streamId: string,
    version: number,
    encoded: Encoded,
    opts: RecordOptions = NO_OPTIONS,
  ): StoredEvent => {
    const { type, schemaVersion } = encoded
    let bytes: Uint8Array = utf8(JSON.stringify(encoded.data))
    if (bytes.length > maxBytes) {
      throw new EventfoldError(
        'PayloadTooLarge',
        `${type} is ${bytes.length} bytes of JSON; the limit is ${maxBytes}`,
        {
          streamId,
          version,
          type,
        },
      )
    }
    if (compression && bytes.length >= compressAbove) {
      const packed = compress(compression, bytes)
      if (packed.length + 2 < bytes.length)
        bytes = Buffer.concat([Uint8Array.of(COMPRESSED, COMPRESSION_IDS[compression]), packed])
    }
    const aad = () => associatedData(opts.kind ?? 'event', streamId, version, type, schemaVersion)
    if (opts.subject) {
      const label = header(
        SUBJECT,
        encoder.encode(`${opts.subject.id}\u0000${cachedKeyId(opts.subject.key)}`),
        true,
      )
      bytes = Buffer.concat([label, seal(opts.subject.key, bytes, aad())])
    } else if (keyring) {
      const key = keyring.keys.get(keyring.current) as Uint8Array
      bytes = Buffer.concat([
        header(ENCRYPTED, encoder.encode(keyring.current), false),
        seal(key, bytes, aad()),
      ])
    }
    return { streamId, version, type, schemaVersion, data: bytes }
  }

  /** Decrypts a keyring or subject envelope into the bytes inside it. */
  const decrypt = (stored: StoredEvent, kind: RecordKind, keys: DataKeys | undefined): Uint8Array => {
    const context = contextOf(stored)
    const aad = associatedData(kind, stored.streamId, stored.version, stored.type, stored.schemaVersion)
    if (stored.data[0] === ENCRYPTED) {
      const [keyId, sealed] = unwrap(stored.data, false, context)
      const key = keyring?.keys.get(keyId)
      if (!key)
        throw new EventfoldError('DecryptionError', `no key with id "${keyId}" in the keyring`, {
          ...context,
          keyId,
        })
      return open(key, sealed, aad, { ...context, keyId })
    }
    const [label, sealed] = unwrap(stored.data, true, context)
    const [subject = '', keyId] = label.split('\u0000')
    const key = keys?.get(subject)
    // A subject whose key is gone, or was replaced by a new one after an erasure: erased data.
    if (key === null || (key !== undefined && cachedKeyId(key) !== keyId)) {
      throw new EventfoldError('EventErased', `the data of subject "${subject}" was erased`, {
        ...context,
        subject,
      })
    }
    if (key === undefined) {
      throw new EventfoldError('DecryptionError', `the key of subject "${subject}" was not loaded`, {
        ...context,
        subject,
      })
    }
    return open(key, sealed, aad, { ...context, subject })
  }

  const toEncoded = (
    stored: StoredEvent,
    opts: { readonly kind?: RecordKind; readonly keys?: DataKeys } = NO_OPTIONS,
  ): Encoded => {
    let bytes = stored.data
    const encrypted = bytes[0] === ENCRYPTED || bytes[0] === SUBJECT
    if (encrypted) bytes = decrypt(stored, opts.kind ?? 'event', opts.keys)
    else if (keyring && !acceptPlaintext) {
      throw new EventfoldError(
        'DecryptionError',
        'the record is not encrypted, and this mapper requires encryption',
        contextOf(stored),
      )
    }
    if (bytes[0] === COMPRESSED)
      bytes = decompress(bytes[1] ?? 0, bytes.subarray(2), maxBytes, contextOf(stored))
    const first = bytes[0] ?? 0x20
    if (!encrypted && first < 0x20 && first !== 0x09 && first !== 0x0a && first !== 0x0d) {
      throw new EventfoldError(
        'DecodeError',
        `stored data has an unknown format (first byte ${first})`,
        contextOf(stored),
      )
    }
    let data: JsonValue
    try {
      data = JSON.parse(decoder.decode(bytes))
    } catch (error) {
      throw new EventfoldError(
        'DecodeError',
        `stored data of ${stored.streamId}@${stored.version} is not UTF-8 JSON`,
        contextOf(stored),
        {
          cause: error,
        },
      )
    }
    return { type: stored.type, schemaVersion: stored.schemaVersion, data }
  }

  const subjectOf = (stored: StoredEvent): string | undefined =>
    stored.data[0] === SUBJECT
      ? unwrap(stored.data, true, contextOf(stored))[0].split('\u0000')[0]
      : undefined

  const { keyring: _ring, ...unencrypted } = options
  const plainReader = keyring ? createMapper(unencrypted) : undefined
  const needKeyring = (): Keyring => {
    if (!keyring)
      throw new EventfoldError('InvalidConfiguration', 'data keys need a keyring (EVENTFOLD_CIPHER_KEY)')
    return keyring
  }
  const keyAad = (subject: string) => encoder.encode(JSON.stringify(['data key', subject]))
  const sealCurrent = (plain: Uint8Array, aad: Uint8Array): Uint8Array => {
    const ring = needKeyring()
    const key = ring.keys.get(ring.current) as Uint8Array
    return Buffer.concat([header(ENCRYPTED, encoder.encode(ring.current), false), seal(key, plain, aad)])
  }
  /** Opens a keyring envelope; resolves to its key id and plaintext. */
  const openEnvelope = (
    bytes: Uint8Array,
    aad: Uint8Array,
    context: Record<string, unknown>,
  ): [string, Uint8Array] => {
    const [keyId, sealed] = unwrap(bytes, false, context)
    const key = needKeyring().keys.get(keyId)
    if (!key)
      throw new EventfoldError('DecryptionError', `no key with id "${keyId}" in the keyring`, {
        ...context,
        keyId,
      })
    return [keyId, open(key, sealed, aad, { ...context, keyId })]
  }
  const unwrapKey = (subject: string, wrapped: Uint8Array): Uint8Array => {
    if (wrapped[0] !== ENCRYPTED)
      throw new EventfoldError('DecryptionError', `the data key of "${subject}" is not wrapped`, { subject })
    return openEnvelope(wrapped, keyAad(subject), { subject })[1]
  }

  return {
    ...fieldSealing(keyring),
    encrypts: keyring !== undefined,
    toStored,
    toEncoded,
    subjectOf,
    newDataKey: () => new Uint8Array(randomBytes(32)),
    wrapKey: (subject, key) => sealCurrent(key, keyAad(subject)),
    unwrapKey,
    rewrapKey: (subject, wrapped) => {
      const [keyId] = unwrap(wrapped, false, { subject })
      return keyId === needKeyring().current
        ? undefined
        : sealCurrent(unwrapKey(subject, wrapped), keyAad(subject))
    },
    reseal: (stored, kind = 'event') => {
      if (!keyring || stored.data[0] === SUBJECT) return undefined
      const aad = associatedData(kind, stored.streamId, stored.version, stored.type, stored.schemaVersion)
      const context = contextOf(stored)
      if (stored.data[0] === ENCRYPTED) {
        const [keyId, inner] = openEnvelope(stored.data, aad, context)
        return keyId === keyring.current ? undefined : { ...stored, data: sealCurrent(inner, aad) }
      }
      plainReader?.toEncoded(stored) // only readable data is encrypted: this throws for anything else
      return { ...stored, data: sealCurrent(stored.data, aad) }
    },
  }
}

/**
 * Turns a stored event into a domain event through the mapper and the codec; a decode failure is
 * thrown as an EventfoldError carrying the DecodeError's code, path, stream, version and notification id.
 */
export const toDomain = <E>(mapper: Mapper, codec: Codec<E>, stored: StoredEvent, keys?: DataKeys): E => {
  const decoded = codec.decode(mapper.toEncoded(stored, keys ? { keys } : NO_OPTIONS))
  if (decoded._tag === 'Right') return decoded.right
  const { code, message, path } = decoded.left
  const place = contextOf(stored)
  throw new EventfoldError(code, `${message} (stream "${place.streamId}", version ${place.version})`, {
    ...place,
    path,
  })
}
