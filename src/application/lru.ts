// A bounded least-recently-used map: the aggregate cache's storage.

/** A map that keeps at most `size` entries, dropping the least recently used. */
export interface Lru<V> {
  get(key: string): V | undefined
  set(key: string, value: V): void
  delete(key: string): void
  clear(): void
}

/** Creates an LRU map; size 0 keeps nothing. */
export const createLru = <V>(size: number): Lru<V> => {
  // A Map iterates in insertion order: the least recently used entry comes first.
  const entries = new Map<string, V>()
  // The most recently used key: using it again changes no order (the common case: a command on the
  // stream just written), so it is neither deleted nor inserted again.
  let newest: string | undefined
  return {
    get: (key) => {
      const value = entries.get(key)
      if (value !== undefined && key !== newest) {
        entries.delete(key)
        entries.set(key, value)
        newest = key
      }
      return value
    },
    set: (key, value) => {
      if (size === 0) return
      if (key !== newest) entries.delete(key)
      entries.set(key, value)
      newest = key
      if (entries.size > size) entries.delete(entries.keys().next().value as string)
    },
    delete: (key) => {
      entries.delete(key)
      if (key === newest) newest = undefined
    },
    clear: () => {
      entries.clear()
      newest = undefined
    },
  }
}
