// Building fp-ts Either values without loading fp-ts's runtime (it costs a cold start 11–13 ms):
// the values are fp-ts's own shape, so every fp-ts function accepts them.

import type { Either, Left, Right } from 'fp-ts/lib/Either.js'

/** An fp-ts Left. */
export const left = <E, A = never>(value: E): Either<E, A> =>
  ({ _tag: 'Left', left: value }) satisfies Left<E>

/** An fp-ts Right. */
export const right = <A, E = never>(value: A): Either<E, A> =>
  ({ _tag: 'Right', right: value }) satisfies Right<A>

/** True for a Left: a rejection, a decode failure. */
export const isLeft = <E, A>(either: Either<E, A>): either is Left<E> => either._tag === 'Left'

/** True for a Right: a success. */
export const isRight = <E, A>(either: Either<E, A>): either is Right<A> => either._tag === 'Right'

/** Folds an Either: `onLeft` of its left, or `onRight` of its right (fp-ts's `match`, data last). */
export const match =
  <E, A, B>(onLeft: (left: E) => B, onRight: (right: A) => B) =>
  (either: Either<E, A>): B =>
    either._tag === 'Left' ? onLeft(either.left) : onRight(either.right)
