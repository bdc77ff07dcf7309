// JSON values: what a codec hands to the store, and what it gets back.

/** A value that survives JSON.stringify / JSON.parse unchanged. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject

/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: JsonValue
}

/** True for a JSON object (not null, not an array). */
export const isJsonObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
