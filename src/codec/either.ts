// Building fp-ts Either values without loading fp-ts's runtime (it costs a cold start 11–13 ms):
// the values are fp-ts's own shape, so every fp-ts function accepts them.

import type { Either, Left, Right } from 'fp-ts/lib/Either.js'

/** An fp-ts Left. */
export const left = <E, A = never>(value: E): Either<E, A> =>
  ({ _tag: 'Left', left: value }) satisfies Left<E>

/** An fp-ts Right. */
export const right = <A, E = never>(value: A): Either<E, A> =>
  ({ _tag: 'Right', right: value }) satisfies Right<A>
