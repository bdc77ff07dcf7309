// Policies: pure functions from an upstream application's event to what a downstream application
// should do. No clock, no randomness: anything a policy needs (ids, times) comes from its input.

/** A decoded notification of an upstream application: what a policy reacts to. */
export interface Upstream<E = unknown> {
  readonly application: string
  readonly aggregate: string
  /** The aggregate's id: its stream id without the aggregate's name. */
  readonly id: string
  readonly streamId: string
  readonly version: number
  readonly notificationId: number
  readonly event: E
  /** The upstream event's id (absent for events stored before release 0.2). */
  readonly eventId?: string
  /** The upstream event's metadata: its correlation and causation ids, the user's fields. */
  readonly metadata?: { readonly [field: string]: unknown }
}

/**
 * Turns one upstream event into instructions for the downstream application (`I` is the
 * application's instruction type). Law: the same upstream event always gives the same instructions,
 * so redelivering a notification can be recognised and records nothing new.
 */
export type Policy<E, I> = (upstream: Upstream<E>) => readonly I[]

/** Anything that names an aggregate and folds events of type E: an aggregate, structurally. */
export interface EventSource<E> {
  readonly name: string
  /** Its decider, of which only the event type matters here. */
  readonly decider: {
    /** Folds one of its events (the type sought). */
    evolve(state: never, event: E): unknown
  }
}

/** One rule of a policy: what to do with one event type of one upstream aggregate. */
export interface Rule<I> {
  readonly aggregate: string
  readonly type: string
  /** The instructions for one upstream event of this rule's aggregate and type. */
  readonly handle: (upstream: Upstream) => readonly I[]
}

/** A rule for events of `type` from `source`; the handler sees the event with its own type. */
export const on = <E extends { readonly type: string }, K extends E['type'], I>(
  source: EventSource<E>,
  type: K,
  handle: (upstream: Upstream<Extract<E, { readonly type: K }>>) => readonly I[],
): Rule<I> => ({
  aggregate: source.name,
  type,
  // The runner hands this rule only events that the source's codec decoded with this type.
  handle: (upstream) => handle(upstream as Upstream<Extract<E, { readonly type: K }>>),
})

/** A policy made of rules; an event no rule matches leads to no instructions. */
export const policy = <I>(...rules: readonly Rule<I>[]): Policy<unknown, I> => {
  const byKey = new Map(rules.map((rule) => [`${rule.aggregate}\u0000${rule.type}`, rule]))
  return (upstream) => {
    const { event } = upstream
    const type = typeof event === 'object' && event !== null && 'type' in event ? event.type : undefined
    const rule = typeof type === 'string' ? byKey.get(`${upstream.aggregate}\u0000${type}`) : undefined
    return rule ? rule.handle(upstream) : []
  }
}
