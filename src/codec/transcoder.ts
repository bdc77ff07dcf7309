// Transcoding between JavaScript values and JSON, so that Date, bigint, Uint8Array, Map, Set,
// undefined, NaN and -0 read back exactly as written; users register their own types.

import { EventfoldError, encodeError } from './error.js'
import type { JsonObject, JsonValue } from './json.js'

/** A non-JSON type the transcoder can store, under a tag name written to the data. */
export interface CustomType {
  readonly name: string
  /** True for a value of this type. */
  readonly matches: (value: unknown) => boolean
  /** What a value of this type is stored as (which may itself hold Dates, Maps …). */
  readonly encode: (value: unknown) => unknown
  /** Rebuilds a value of this type from what `encode` returned. */
  readonly decode: (data: unknown) => unknown
}

/** Converts values to JSON and back. Law: decode(encode(v)) deep-equals v for every v encode accepts. */
export interface Transcoder {
  /** Throws EncodeError (with the path) for values that would not read back the same. */
  encode(value: unknown): JsonValue
  /** Throws DecodeError (with the path) for tags it does not know. */
  decode(json: JsonValue): unknown
}

/**
 * Declares a custom type: `is` recognises it, `encode` turns it into something the transcoder can
 * store (which may itself contain Dates, Maps, …), `decode` rebuilds it from what `encode` returned.
 */
export const customType = <T, D>(spec: {
  readonly name: string
  readonly is: (value: unknown) => value is T
  readonly encode: (value: T) => D
  readonly decode: (data: D) => T
}): CustomType => ({
  name: spec.name,
  matches: spec.is,
  encode: (value) => (spec.is(value) ? spec.encode(value) : undefined),
  // The transcoder only hands back what `encode` produced, so the data has type D here.
  decode: (data) => spec.decode(data as D),
})

const TAG = '$type'
const VALUE = '$value'

const isUint8Array = (v: unknown): v is Uint8Array => v instanceof Uint8Array && v.constructor === Uint8Array
const specialNumber = (n: number): string | undefined => {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Number.POSITIVE_INFINITY) return 'Infinity'
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity'
  return Object.is(n, -0) ? '-0' : undefined
}

const toBase64 = (bytes: Uint8Array): string => {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

const builtins: readonly CustomType[] = [
  customType({
    name: 'Date',
    is: (v): v is Date => v instanceof Date,
    encode: (d) => (Number.isNaN(d.getTime()) ? null : d.toISOString()),
    decode: (s: string | null) => new Date(s ?? Number.NaN),
  }),
  customType({ name: 'Uint8Array', is: isUint8Array, encode: toBase64, decode: fromBase64 }),
  customType({
    name: 'Map',
    is: (v): v is Map<unknown, unknown> => v instanceof Map,
    encode: (m) => [...m.entries()],
    decode: (e: [unknown, unknown][]) => new Map(e),
  }),
  customType({
    name: 'Set',
    is: (v): v is Set<unknown> => v instanceof Set,
    encode: (s) => [...s.values()],
    decode: (e: unknown[]) => new Set(e),
  }),
]
const reserved = new Set([
  'object',
  'null-prototype',
  'undefined',
  'number',
  'bigint',
  ...builtins.map((t) => t.name),
])

const setOwn = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

const typeName = (value: object): string => value.constructor?.name ?? 'object without constructor'

/** Creates a transcoder that knows the built-in types plus `custom` ones (their names must be unique). */
export const createTranscoder = (custom: readonly CustomType[] = []): Transcoder => {
  for (const t of custom) {
    if (reserved.has(t.name))
      throw new EventfoldError('InvalidConfiguration', `custom type name "${t.name}" is reserved`)
  }
  const types = [...custom, ...builtins]
  const byName = new Map(types.map((t) => [t.name, t]))
  if (byName.size !== types.length)
    throw new EventfoldError('InvalidConfiguration', 'custom type names must be unique')

  /**
   * True when `value` is JSON that `encode` would hand back as it is — nothing to tag, nothing to
   * refuse — checked without allocating. Deeper than 32 levels (a cycle, say) it answers false.
   * A getter is read here and again when the value is serialized: one that changes between two
   * reads stores its second value (plain data, what codecs give, has no getters).
   */
  const isPlain = (value: unknown, depth: number): boolean => {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return true
      case 'number':
        return specialNumber(value) === undefined
      case 'object':
        break
      default:
        return false
    }
    if (value === null) return true
    if (depth > 32 || (custom.length > 0 && custom.some((t) => t.matches(value)))) return false
    // JSON.stringify would call a toJSON of the value's own (an array's, or a non-enumerable one).
    if (Object.hasOwn(value, 'toJSON')) return false
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) if (!(i in value && isPlain(value[i], depth + 1))) return false
      return true
    }
    if (Object.getPrototypeOf(value) !== Object.prototype) return false
    for (const key in value) {
      if (key === TAG || !Object.hasOwn(value, key)) return false
      if (!isPlain((value as Record<string, unknown>)[key], depth + 1)) return false
    }
    return Object.getOwnPropertySymbols(value).length === 0
  }

  /** True when some object in `json` has a tag (so decoding it must rebuild values); allocates nothing. */
  const hasTag = (json: JsonValue, depth: number): boolean => {
    if (typeof json !== 'object' || json === null) return false
    if (depth > 32) return true
    if (Array.isArray(json)) {
      for (let i = 0; i < json.length; i++) if (hasTag(json[i] ?? null, depth + 1)) return true
      return false
    }
    for (const key in json) {
      if (key === TAG || hasTag((json as JsonObject)[key] ?? null, depth + 1)) return true
    }
    return false
  }

  const encode = (value: unknown, path: (string | number)[], seen: Set<object>): JsonValue => {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value
      case 'number': {
        const special = specialNumber(value)
        return special === undefined ? value : { [TAG]: 'number', [VALUE]: special }
      }
      case 'bigint':
        return { [TAG]: 'bigint', [VALUE]: value.toString() }
      case 'undefined':
        return { [TAG]: 'undefined' }
      case 'object':
        return value === null ? null : encodeObject(value, path, seen)
      default:
        throw encodeError(`a ${typeof value} at ${path.join('.') || '(root)'} cannot be stored`, {
          path: [...path],
        })
    }
  }

  const encodeObject = (value: object, path: (string | number)[], seen: Set<object>): JsonValue => {
    if (seen.has(value))
      throw encodeError(`circular reference at ${path.join('.') || '(root)'}`, { path: [...path] })
    seen.add(value)
    try {
      const custom = types.find((t) => t.matches(value))
      if (custom) return { [TAG]: custom.name, [VALUE]: encode(custom.encode(value), path, seen) }
      if (Array.isArray(value)) return encodeArray(value, path, seen)
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) {
        throw encodeError(
          `an instance of ${typeName(value)} at ${path.join('.') || '(root)'} cannot be stored; register it with customType()`,
          { path: [...path] },
        )
      }
      if (Object.getOwnPropertySymbols(value).length > 0) {
        throw encodeError(`symbol keys at ${path.join('.') || '(root)'} cannot be stored`, {
          path: [...path],
        })
      }
      const out: Record<string, JsonValue> = {}
      for (const [key, v] of Object.entries(value)) {
        path.push(key)
        setOwn(out, key, encode(v, path, seen))
        path.pop()
      }
      if (proto === null) return { [TAG]: 'null-prototype', [VALUE]: out }
      return Object.hasOwn(out, TAG) ? { [TAG]: 'object', [VALUE]: out } : out
    } finally {
      seen.delete(value)
    }
  }

  const encodeArray = (
    value: readonly unknown[],
    path: (string | number)[],
    seen: Set<object>,
  ): JsonValue => {
    const out: JsonValue[] = new Array(value.length)
    for (let i = 0; i < value.length; i++) {
      if (!(i in value))
        throw encodeError(`sparse array at ${path.join('.') || '(root)'}[${i}]`, { path: [...path, i] })
      path.push(i)
      out[i] = encode(value[i], path, seen)
      path.pop()
    }
    return out
  }

  // Decoding copies on write: untagged JSON comes back as the very same objects, unallocated.
  const decode = (json: JsonValue, path: (string | number)[]): unknown => {
    if (typeof json !== 'object' || json === null) return json
    if (Array.isArray(json)) return decodeArray(json, path)
    const object = json as JsonObject
    if (!Object.hasOwn(object, TAG)) return decodeEntries(object, path, false)
    const tag = object[TAG]
    const inner = object[VALUE] ?? null
    switch (tag) {
      case 'object':
        return decodeEntries(inner as JsonObject, path, true)
      case 'null-prototype':
        return Object.assign(Object.create(null), decodeEntries(inner as JsonObject, path, true))
      case 'undefined':
        return undefined
      case 'number':
        return inner === '-0' ? -0 : Number(inner)
      case 'bigint':
        return BigInt(String(inner))
    }
    const type = typeof tag === 'string' ? byName.get(tag) : undefined
    if (!type) {
      const where = path.join('.') || '(root)'
      throw new EventfoldError('DecodeError', `unknown transcoded type ${JSON.stringify(tag)} at ${where}`, {
        path: [...path],
      })
    }
    return type.decode(decode(inner, path))
  }

  const decodeArray = (json: readonly JsonValue[], path: (string | number)[]): readonly unknown[] => {
    let out: unknown[] | undefined
    for (let i = 0; i < json.length; i++) {
      const item = json[i] ?? null
      path.push(i)
      const decoded = decode(item, path)
      path.pop()
      if (out === undefined && decoded !== item) out = json.slice(0, i)
      out?.push(decoded)
    }
    return out ?? json
  }

  const decodeEntries = (object: JsonObject, path: (string | number)[], copy: boolean): object => {
    let out: Record<string, unknown> | undefined = copy ? {} : undefined
    const keys = Object.keys(object)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      const value = object[key] ?? null
      path.push(key)
      const decoded = decode(value, path)
      path.pop()
      if (out === undefined && decoded !== value) {
        out = {}
        for (let j = 0; j < i; j++) setOwn(out, keys[j] as string, object[keys[j] as string])
      }
      if (out !== undefined) setOwn(out, key, decoded)
    }
    return out ?? object
  }

  // Most events are plain JSON: those are neither copied on the way in nor walked twice on the way out.
  return {
    encode: (value) => (isPlain(value, 0) ? (value as JsonValue) : encode(value, [], new Set())),
    decode: (json) => (hasTag(json, 0) ? decode(json, []) : json),
  }
}

/** The transcoder with only the built-in types. */
export const defaultTranscoder: Transcoder = createTranscoder()
