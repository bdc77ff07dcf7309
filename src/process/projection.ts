// Document projections: pure definitions of durable read models. Each log entry names the keys of
// the documents it changes, and a pure `evolve` folds it into each of them; the library stores the
// documents, with the position in the log, one transaction per batch (see eventfold/runners).

/** A JSON value, as eventfold/codec's JsonValue (named here: src/process depends on decide and evolve only). */
type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json }

/** A document in its stored form: a type name, the schema version of `data`, and JSON data. */
export interface EncodedDocument {
  readonly type: string
  readonly schemaVersion: number
  readonly data: Json
}

/** How documents are stored and validated on read; a state codec (stateFromZod, jsonState …) is one. */
export interface DocumentCodec<D> {
  readonly name: string
  /** The stored form of a document; throws when it cannot be stored faithfully. */
  encode(document: D): EncodedDocument
  /** The document a stored form holds, validated (and upcast), or what was wrong, on the left. */
  decode(encoded: EncodedDocument):
    | {
        readonly _tag: 'Left'
        readonly left: { readonly message: string; readonly path: readonly (string | number)[] }
      }
    | { readonly _tag: 'Right'; readonly right: D }
}

/**
 * A durable read model of documents by key. `Entry` is what it folds: an application's log entries
 * (`EntryOf<typeof app>`, a union that narrows by aggregate name), erased ones included.
 */
export interface DocumentProjection<D, Entry> {
  /** The projection's name: its documents, position and lease are stored under it. */
  readonly name: string
  /**
   * Its version (from 1). Raise it when `keys` or `evolve` change meaning: the new version is built
   * from notification 1 beside the old one, which serves reads until the new one has caught up.
   */
  readonly version: number
  /** The keys of the documents an entry changes (none: the entry does not concern this projection). */
  readonly keys: (entry: Entry) => readonly string[]
  /** The document under `key` after `entry`; undefined deletes it (or leaves it absent). Pure. */
  readonly evolve: (document: D | undefined, entry: Entry, key: string) => D | undefined
  /** Stores documents and validates them on read (a state codec: zod, io-ts, or plain JSON). */
  readonly codec: DocumentCodec<D>
  /** Fields to find documents by, each a value computed from a document (undefined: not indexed). */
  readonly indexes?: Readonly<Record<string, (document: D) => string | number | boolean | undefined>>
}

/** Defines a document projection (version 1 unless given); `key` may stand for `keys` when an entry changes one document at most. */
export const documentProjection = <D, Entry>(
  definition: Omit<DocumentProjection<D, Entry>, 'version' | 'keys'> & {
    readonly version?: number
  } & (
      | { readonly keys: (entry: Entry) => readonly string[] }
      | { readonly key: (entry: Entry) => string | undefined }
    ),
): DocumentProjection<D, Entry> => {
  const keys =
    'keys' in definition
      ? definition.keys
      : (entry: Entry): readonly string[] => {
          const key = definition.key(entry)
          return key === undefined ? [] : [key]
        }
  return {
    name: definition.name,
    version: definition.version ?? 1,
    keys,
    evolve: definition.evolve,
    codec: definition.codec,
    ...(definition.indexes ? { indexes: definition.indexes } : {}),
  }
}

/** The indexed field values of a document, as strings (absent ones left out). */
export const indexedFields = <D>(
  projection: Pick<DocumentProjection<D, never>, 'indexes'>,
  document: D,
): Readonly<Record<string, string>> | undefined => {
  if (!projection.indexes) return undefined
  const fields: Record<string, string> = {}
  for (const [field, of] of Object.entries(projection.indexes)) {
    const value = of(document)
    if (value !== undefined) fields[field] = String(value)
  }
  return fields
}
