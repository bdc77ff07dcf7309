// How a failing law is told: commands and events as `Type {…rest as JSON}`, states as JSON, all cut short.

/** Where a law failed: the commands replayed before, the state (shown), the command and its events. */
export interface Scene {
  readonly history: readonly unknown[]
  readonly state: string
  readonly command?: unknown
  readonly events?: readonly unknown[]
}

/** A law's failure: what went wrong, the labelled lines that show where, and the error behind it if any. */
export interface Failure {
  readonly problem: string
  readonly lines: readonly (readonly [label: string, text: string])[]
  readonly cause?: unknown
}

const MAX_TEXT = 300
const MAX_ITEMS = 20

/** JSON of any value: bigint as `12n`, Map and Set as `{"Map": entries}` / `{"Set": values}`. */
export const json = (value: unknown): string => {
  try {
    const text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return `${v}n`
      if (v instanceof Map) return { Map: [...v] }
      if (v instanceof Set) return { Set: [...v] }
      return v
    })
    return text ?? String(value)
  } catch {
    return String(value)
  }
}

const isTyped = (value: unknown): value is { readonly type: string } =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'

/** A value as a report shows it: `AddTrick {"trick":"sit"}` for one with a `type`, else JSON. */
export const show = (value: unknown): string => {
  let text = json(value)
  if (isTyped(value) && !Array.isArray(value)) {
    const { type, ...rest } = value
    text = Object.keys(rest).length === 0 ? type : `${type} ${json(rest)}`
  }
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text
}

/** A list of commands or events, each shown, the tail cut off past twenty. */
export const list = (values: readonly unknown[]): string => {
  const shown = values.slice(0, MAX_ITEMS).map(show)
  if (values.length > MAX_ITEMS) shown.push(`… ${values.length - MAX_ITEMS} more`)
  return `[${shown.join(', ')}]`
}

/** What was thrown, as a quoted message (or the value shown). */
export const textOf = (error: unknown): string =>
  error instanceof Error ? JSON.stringify(error.message) : show(error)

/** Builds a failure from what went wrong, where, any law-specific lines, and the error behind it. */
export const failure = (
  problem: string,
  scene: Scene,
  extra: readonly (readonly [string, string])[] = [],
  cause?: unknown,
): Failure => ({
  problem,
  lines: [
    ['after commands', list(scene.history)],
    ['state', scene.state],
    ...(scene.command === undefined ? [] : [['command', show(scene.command)] as const]),
    ...(scene.events === undefined ? [] : [['events', list(scene.events)] as const]),
    ...extra,
  ],
  ...(cause === undefined ? {} : { cause }),
})
