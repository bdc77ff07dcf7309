import { type Encoded, isEventfoldError } from 'eventfold/codec'
import { createKeyring, createMapper, generateKey, parseKey, type StoredEvent } from 'eventfold/store'
import { describe, expect, it } from 'vitest'

const encoded = (data: unknown): Encoded => ({
  type: 'Noted',
  schemaVersion: 1,
  data: data as Encoded['data'],
})
const big = { text: 'the quick brown fox jumps over the lazy dog '.repeat(40), n: 1 }
const key = () => parseKey(generateKey())
const codeOf = (action: () => unknown): string => {
  try {
    action()
    return 'no error'
  } catch (error) {
    return isEventfoldError(error) ? error.code : `untyped: ${String(error)}`
  }
}

describe('the mapper: compression', () => {
  for (const compression of ['gzip', 'deflate', 'brotli'] as const) {
    it(`${compression}: compresses large records, leaves small ones, and reads both back`, () => {
      const mapper = createMapper({ compression })
      const large = mapper.toStored('s', 1, encoded(big))
      expect(large.data[0]).toBe(0x01)
      expect(large.data.length).toBeLessThan(JSON.stringify(big).length / 4)
      expect(mapper.toEncoded(large).data).toEqual(big)
      const small = mapper.toStored('s', 2, encoded({ a: 1 }))
      expect(new TextDecoder().decode(small.data)).toBe('{"a":1}')
      expect(createMapper().toEncoded(large).data).toEqual(big)
    })
  }

  it('caps the inflated size: a compression bomb is PayloadTooLarge, not an out-of-memory', () => {
    const bomb = createMapper({ compression: 'gzip', maxBytes: 50_000_000 }).toStored(
      's',
      1,
      encoded({ z: '0'.repeat(20_000_000) }),
    )
    expect(bomb.data.length).toBeLessThan(100_000)
    expect(codeOf(() => createMapper({ maxBytes: 1_000_000 }).toEncoded(bomb))).toBe('PayloadTooLarge')
  })

  it('reports corrupt compressed data as DecompressionError', () => {
    const stored = createMapper({ compression: 'deflate' }).toStored('s', 1, encoded(big))
    const broken = { ...stored, data: Uint8Array.from(stored.data.subarray(0, 40)) }
    expect(codeOf(() => createMapper().toEncoded(broken))).toBe('DecompressionError')
  })

  it('refuses to write more than maxBytes of JSON', () => {
    expect(codeOf(() => createMapper({ maxBytes: 100 }).toStored('s', 1, encoded(big)))).toBe(
      'PayloadTooLarge',
    )
  })
})

describe('the mapper: encryption', () => {
  const keyA = key()
  const mapper = createMapper({ keyring: createKeyring(keyA), compression: 'gzip' })
  const secret = { name: 'Ada Lovelace', email: 'ada@example.com' }
  const stored = mapper.toStored('person-1', 3, encoded(secret))

  it('stores ciphertext only, and reads it back', () => {
    expect(stored.data[0]).toBe(0x02)
    expect(Buffer.from(stored.data).toString('latin1')).not.toContain('Ada')
    expect(mapper.toEncoded(stored).data).toEqual(secret)
    expect(mapper.toStored('person-1', 3, encoded(secret)).data).not.toEqual(stored.data)
  })

  it('gives a typed error for every single flipped bit', () => {
    const codes = new Set<string>()
    for (let bit = 0; bit < stored.data.length * 8; bit++) {
      const data = Uint8Array.from(stored.data)
      data[bit >> 3] = (data[bit >> 3] as number) ^ (1 << (bit & 7))
      codes.add(codeOf(() => mapper.toEncoded({ ...stored, data })))
    }
    expect([...codes].sort()).toEqual(['DecryptionError'])
  })

  it('gives a typed error for every truncation', () => {
    for (let length = 0; length < stored.data.length; length++) {
      const data = stored.data.subarray(0, length)
      expect([length, codeOf(() => mapper.toEncoded({ ...stored, data }))]).toEqual([
        length,
        'DecryptionError',
      ])
    }
  })

  it('refuses data moved to another row, another version, type or kind', () => {
    const moved = (changes: Partial<StoredEvent>) => codeOf(() => mapper.toEncoded({ ...stored, ...changes }))
    expect(moved({ streamId: 'person-2' })).toBe('DecryptionError')
    expect(moved({ version: 4 })).toBe('DecryptionError')
    expect(moved({ type: 'Renamed' })).toBe('DecryptionError')
    expect(moved({ schemaVersion: 2 })).toBe('DecryptionError')
    expect(codeOf(() => mapper.toEncoded(stored, { kind: 'snapshot' }))).toBe('DecryptionError')
  })

  it('refuses a wrong key, and an unencrypted row unless told to accept plaintext', () => {
    expect(codeOf(() => createMapper({ keyring: createKeyring(key()) }).toEncoded(stored))).toBe(
      'DecryptionError',
    )
    const plain = createMapper().toStored('s', 1, encoded({ a: 1 }))
    expect(codeOf(() => mapper.toEncoded(plain))).toBe('DecryptionError')
    expect(
      createMapper({ keyring: createKeyring(keyA), acceptPlaintext: true }).toEncoded(plain).data,
    ).toEqual({ a: 1 })
  })

  it('rotates keys: reads with old and new keys, writes with the current one', () => {
    const keyB = key()
    const rotated = createMapper({ keyring: createKeyring(keyB, [keyA]) })
    expect(rotated.toEncoded(stored).data).toEqual(secret)
    const fresh = rotated.toStored('person-1', 4, encoded(secret))
    expect(codeOf(() => mapper.toEncoded(fresh))).toBe('DecryptionError')
    expect(createMapper({ keyring: createKeyring(keyB) }).toEncoded(fresh).data).toEqual(secret)
  })

  it('checks keys from the environment: base64 and 32 bytes', () => {
    expect(() => parseKey('not base64!')).toThrow(/not base64/)
    expect(() => parseKey(Buffer.alloc(16).toString('base64'))).toThrow(/must decode to 32 bytes, not 16/)
    expect(parseKey(generateKey()).length).toBe(32)
  })
})
