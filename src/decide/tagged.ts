// Tagged values used by the combinators to route commands and events without casts.

/** A value labelled with the part of a composite decider it belongs to. */
export interface Tagged<K extends string, V> {
  readonly _tag: K
  readonly value: V
}

/** Either the left part's value or the right part's value of a combined decider. */
export type Sum<A, B> = Tagged<'left', A> | Tagged<'right', B>

/** Labels a value for the left part. */
export const toLeft = <const A>(value: A): Tagged<'left', A> => ({ _tag: 'left', value })

/** Labels a value for the right part. */
export const toRight = <const B>(value: B): Tagged<'right', B> => ({ _tag: 'right', value })

/** A value addressed to one member of a `many` decider. */
export interface Addressed<V> {
  readonly id: string
  readonly value: V
}
