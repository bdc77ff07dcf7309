// Property-based laws for deciders and codecs, over states reached by replaying generated commands
// through `decide` (never by inventing events): invariants, no mutation, idempotency, codec round trip.
// Laws work on copies (the user's initial state is never frozen or changed) and a failing law throws
// an Error that names it and shows the replayed commands, the state, the command and its events.

import { deepStrictEqual } from 'node:assert/strict'
import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import type { Codec } from '../codec/index.js'
import { type Decider, toEither } from '../decide/index.js'
import { type Failure, failure, json, list, type Scene, show, textOf } from './law-report.js'
import { deepCopy, type Reached, walk } from './reach.js'

export { type Reached, reachable, replay } from './reach.js'

/** How many runs and how long a history each law check uses. */
export interface LawOptions {
  readonly numRuns?: number
  readonly maxCommands?: number
  readonly seed?: number
}

/** Freezes a value and all it reaches (Map and Set contents and typed arrays are checked by comparison). */
export const deepFreeze = <T>(value: T): T => {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  if (ArrayBuffer.isView(value)) return value
  Object.freeze(value)
  if (value instanceof Map) for (const entry of value) deepFreeze(entry)
  else if (value instanceof Set) for (const v of value) deepFreeze(v)
  else for (const v of Object.values(value)) deepFreeze(v)
  return value
}

const parameters = <Ts>(options: LawOptions): fc.Parameters<Ts> => ({
  numRuns: options.numRuns ?? 200,
  ...(options.seed === undefined ? {} : { seed: options.seed }),
})

/** Runs a law as a property; its shrunk counterexample is examined again and thrown in domain terms. */
const holds = <T>(
  law: string,
  arbitrary: fc.Arbitrary<T>,
  examine: (value: T) => Failure | undefined,
  options: LawOptions,
): void => {
  const property = fc.property(arbitrary, (value: T) => examine(value) === undefined)
  const details = fc.check(property, parameters<[T]>(options))
  if (!details.failed) return
  const found = details.counterexample ? examine(details.counterexample[0]) : undefined
  if (!found) throw new Error(`${law} failed: ${fc.defaultReportMessage(details)}`)
  const { seed, numShrinks } = details
  const rerun = `  (fast-check seed ${seed}, shrunk ${numShrinks} times: pass { seed: ${seed} } to rerun)`
  const lines = found.lines.map(([label, text]) => `  ${label}: ${text.replaceAll('\n', '\n    ')}`)
  const message = [`${law} failed: ${found.problem}`, ...lines, rerun].join('\n')
  throw new Error(message, 'cause' in found ? { cause: found.cause } : undefined)
}

const histories = <C>(commands: fc.Arbitrary<C>, options: LawOptions) =>
  fc.array(commands, { maxLength: options.maxCommands ?? 30 })

/** Why `invariant` fails for `state` ("does not hold", or what it threw), or undefined if it holds. */
const violation = <S>(invariant: (state: S) => boolean | undefined, state: S): string | undefined => {
  try {
    return invariant(state) === false ? 'does not hold' : undefined
  } catch (error) {
    return `threw ${textOf(error)}`
  }
}

/** Law: the invariant holds in every reachable state (return false or throw to fail). */
export const checkInvariant = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  commands: fc.Arbitrary<C>,
  invariant: (state: S) => boolean | undefined,
  options: LawOptions = {},
): void =>
  holds(
    'checkInvariant',
    histories(commands, options),
    (sequence) => {
      const initial = deepCopy(decider.initialState)
      const broken = violation(invariant, initial)
      if (broken)
        return failure(`the invariant ${broken} in the initial state`, { history: [], state: show(initial) })
      const walked = walk(decider, sequence, (step) => {
        const broken = violation(invariant, step.next)
        if (!broken) return undefined
        return failure(`the invariant ${broken} after ${show(step.command)}`, step, [
          ['state after', show(step.next)],
        ])
      })
      return walked._tag === 'Left' ? walked.left : undefined
    },
    options,
  )

/** Decides `command` on a frozen copy of the state and evolves frozen copies; says what changed anything. */
const untouched = <C, S, E, R>(decider: Decider<C, S, E, R>, reached: Reached<C, S, E>, command: C) => {
  let scene: Scene = { history: reached.commands, state: show(reached.state), command }
  let stage = 'decide threw on a frozen state or command (did it change them?)'
  try {
    let current = deepFreeze(deepCopy(reached.state))
    const frozenCommand = deepFreeze(deepCopy(command))
    const decision = toEither(decider.decide(frozenCommand, current))
    if (!isDeepStrictEqual(current, reached.state) || !isDeepStrictEqual(frozenCommand, command))
      return failure('decide changed the state or command it was given', scene)
    if (decision._tag === 'Left') return undefined
    scene = { ...scene, events: decision.right }
    stage = 'evolve threw on a frozen state or event (did it change it?)'
    for (const event of decision.right) {
      const [before, frozenEvent] = [deepCopy(current), deepFreeze(deepCopy(event))]
      const next = decider.evolve(current, frozenEvent)
      if (!isDeepStrictEqual(current, before) || !isDeepStrictEqual(frozenEvent, event))
        return failure('evolve changed the state or event it was given', scene)
      current = deepFreeze(next)
    }
    return undefined
  } catch (error) {
    return failure(`${stage}: ${error instanceof Error ? error.message : textOf(error)}`, scene, [], error)
  }
}

/** Law: `decide` and `evolve` leave a frozen state, command and events untouched (copies of the user's). */
export const checkNoMutation = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  commands: fc.Arbitrary<C>,
  options: LawOptions = {},
): void =>
  holds(
    'checkNoMutation',
    fc.tuple(histories(commands, options), commands),
    ([sequence, command]) => {
      const walked = walk(decider, sequence)
      return walked._tag === 'Left' ? walked.left : untouched(decider, walked.right, command)
    },
    options,
  )

/** Decides `command` twice, the second time after its own events; says if the second time did anything. */
const repeated = <C, S, E, R>(decider: Decider<C, S, E, R>, reached: Reached<C, S, E>, command: C) => {
  let scene: Scene = { history: reached.commands, state: show(reached.state), command }
  try {
    const first = toEither(decider.decide(command, reached.state))
    if (first._tag === 'Left') return undefined
    scene = { ...scene, events: first.right }
    const after = first.right.reduce((s: S, e: E) => decider.evolve(s, e), reached.state)
    const again = toEither(decider.decide(command, after))
    if (again._tag === 'Right' && again.right.length === 0) return undefined
    const [what, text] =
      again._tag === 'Left'
        ? ['is rejected', `rejected: ${show(again.left)}`]
        : ['yields events', list(again.right)]
    return failure(`${show(command)} ${what} when decided again`, scene, [['again', text]])
  } catch (error) {
    return failure(`decide or evolve threw ${textOf(error)}`, scene, [], error)
  }
}

/** Law: an idempotent command, once accepted, yields no events when decided again. */
export const checkIdempotent = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  commands: fc.Arbitrary<C>,
  isIdempotent: (command: C) => boolean,
  options: LawOptions = {},
): void =>
  holds(
    'checkIdempotent',
    fc.tuple(histories(commands, options), commands),
    ([sequence, command]) => {
      fc.pre(isIdempotent(command))
      const walked = walk(decider, sequence)
      return walked._tag === 'Left' ? walked.left : repeated(decider, walked.right, command)
    },
    options,
  )

/** Node's description of how two values differ, or undefined when they are deep-strict-equal. */
const difference = (actual: unknown, expected: unknown): string | undefined => {
  try {
    deepStrictEqual(actual, expected)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

/** What is wrong with `event`'s trip through the codec and JSON text, with the lines that show it. */
const roundTrip = <E>(codec: Codec<E>, event: E): [string, [string, string][]] | undefined => {
  let stored: string
  try {
    stored = JSON.stringify(codec.encode(event))
  } catch (error) {
    return [`${show(event)} cannot be encoded: ${textOf(error)}`, []]
  }
  try {
    const decoded = codec.decode(JSON.parse(stored))
    if (decoded._tag === 'Left')
      return [
        `${show(event)} does not decode`,
        [
          ['stored', stored],
          ['error', json(decoded.left)],
        ],
      ]
    const differs = difference(decoded.right, event)
    if (differs === undefined) return undefined
    return [
      `${show(event)} decodes as ${show(decoded.right)}`,
      [
        ['stored', stored],
        ['difference', differs],
      ],
    ]
  } catch (error) {
    return [`decode threw ${textOf(error)}`, [['stored', stored]]]
  }
}

/** Law: every event a reachable history produces round-trips: decode(encode(e)) = right(e). */
export const checkCodecRoundTrip = <C, S, E, R>(
  decider: Decider<C, S, E, R>,
  codec: Codec<E>,
  commands: fc.Arbitrary<C>,
  options: LawOptions = {},
): void =>
  holds(
    'checkCodecRoundTrip',
    histories(commands, options),
    (sequence) => {
      const walked = walk(decider, sequence, (step) => {
        for (const event of step.events) {
          const wrong = roundTrip(codec, event)
          if (wrong) return failure(wrong[0], step, wrong[1])
        }
        return undefined
      })
      return walked._tag === 'Left' ? walked.left : undefined
    },
    options,
  )
