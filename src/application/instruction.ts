// An instruction: a command for one aggregate of an application, typed when made and carried as a
// value (a policy returns several; an application executes them in one transaction).

import type { Aggregate } from './aggregate.js'

/** Something that visits an instruction's aggregate, id and command with their types intact. */
export type InstructionVisitor<T> = <C, S, E, R>(
  aggregate: Aggregate<C, S, E, R>,
  id: string,
  command: C,
) => T

/** A command addressed to an aggregate; `apply` hands the three, with their types, to a visitor. */
export interface Instruction {
  readonly aggregate: string
  readonly id: string
  /** Hands the aggregate, id and command, with their types, to `visit`. */
  apply<T>(visit: InstructionVisitor<T>): T
}

/** Makes an instruction; the command's type is checked against the aggregate's here. */
export const instruction = <C, S, E, R>(
  aggregate: Aggregate<C, S, E, R>,
  id: string,
  command: C,
): Instruction => ({
  aggregate: aggregate.name,
  id,
  apply: (visit) => visit(aggregate, id, command),
})
