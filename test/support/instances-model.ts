// Many application instances over one store: random interleavings of commands, cache-warming reads
// and gets on 2–4 instances, each result checked against an oracle that reads before it decides.

import { type Application, aggregate, application } from 'eventfold/application'
import { jsonCodec } from 'eventfold/codec'
import { type Decider, reject, toEither } from 'eventfold/decide'
import { isEventfoldError, type Recorder } from 'eventfold/store'
import fc from 'fast-check'
import { expect } from 'vitest'

type Command = { type: 'Open' } | { type: 'Deposit'; amount: number } | { type: 'Withdraw'; amount: number }
type Event =
  | { type: 'Opened' }
  | { type: 'Deposited'; amount: number }
  | { type: 'Withdrawn'; amount: number }
type Account = { readonly balance: number } | null

/** A bank account: withdrawing more than the balance is refused; moving 0 changes nothing. */
const account: Decider<Command, Account, Event, 'NotOpen' | 'AlreadyOpen' | 'Overdraft'> = {
  initialState: null,
  decide: (command, state) => {
    if (command.type === 'Open') return state ? reject('AlreadyOpen') : [{ type: 'Opened' }]
    if (!state) return reject('NotOpen')
    if (command.amount === 0) return []
    if (command.type === 'Deposit') return [{ type: 'Deposited', amount: command.amount }]
    return command.amount > state.balance
      ? reject('Overdraft')
      : [{ type: 'Withdrawn', amount: command.amount }]
  },
  evolve: (state, event) => {
    if (event.type === 'Opened') return { balance: 0 }
    if (!state) return state
    return { balance: state.balance + (event.type === 'Deposited' ? event.amount : -event.amount) }
  },
}

export const accounts = aggregate({
  name: 'account',
  decider: account,
  codec: jsonCodec<Event>({ Opened: true, Deposited: true, Withdrawn: true }),
})

/** The instances under test and the oracle, all over one store. */
export interface World {
  readonly instances: readonly Application[]
  readonly oracle: Application
}

/** How an execute is asked: plainly, as a new stream, or at a version (the current one or a stale one). */
type Mode =
  | { readonly _tag: 'plain' }
  | { readonly _tag: 'expectNew' }
  | { readonly _tag: 'at'; readonly behind: number }

const outcome = async (action: () => Promise<unknown>): Promise<unknown> => {
  try {
    const result = await action()
    const either = result as { _tag: string; left?: unknown; right?: { events: unknown; version: number } }
    return either._tag === 'Left'
      ? { rejected: either.left }
      : { events: either.right?.events, version: either.right?.version }
  } catch (error) {
    if (isEventfoldError(error)) return { error: error.code }
    throw error
  }
}

class Execute implements fc.AsyncCommand<object, World> {
  constructor(
    readonly instance: number,
    readonly id: string,
    readonly command: Command,
    readonly mode: Mode,
  ) {}
  check = (): boolean => true
  async run(_: object, world: World): Promise<void> {
    const app = world.instances[this.instance % world.instances.length] as Application
    const now = await world.oracle.get(accounts, this.id)
    const expectedVersion = this.mode._tag === 'at' ? Math.max(0, now.version - this.mode.behind) : undefined
    const decision = toEither(account.decide(this.command, now.state))
    const expected =
      expectedVersion !== undefined && expectedVersion !== now.version
        ? { error: 'ConcurrencyError' }
        : decision._tag === 'Left'
          ? { rejected: decision.left }
          : { events: decision.right, version: now.version + decision.right.length }
    const options =
      this.mode._tag === 'expectNew'
        ? { expectNew: true }
        : expectedVersion === undefined
          ? {}
          : { expectedVersion }
    expect(await outcome(() => app.execute(accounts, this.id, this.command, options))).toEqual(expected)
  }
  toString = (): string =>
    `#${this.instance} ${this.id} ${JSON.stringify(this.command)} ${JSON.stringify(this.mode)}`
}

class Get implements fc.AsyncCommand<object, World> {
  constructor(
    readonly instance: number,
    readonly id: string,
    readonly version: number | undefined,
  ) {}
  check = (): boolean => true
  async run(_: object, world: World): Promise<void> {
    const app = world.instances[this.instance % world.instances.length] as Application
    const options = this.version === undefined ? {} : { version: this.version }
    expect(await app.get(accounts, this.id, options)).toEqual(
      await world.oracle.get(accounts, this.id, options),
    )
  }
  toString = (): string =>
    `#${this.instance} get ${this.id}${this.version === undefined ? '' : `@${this.version}`}`
}

const ids = fc.constantFrom('a', 'b')
const instance = fc.nat({ max: 3 })
const commands = fc.oneof(
  fc.constant<Command>({ type: 'Open' }),
  fc.record({ type: fc.constant('Deposit' as const), amount: fc.nat({ max: 50 }) }),
  fc.record({ type: fc.constant('Withdraw' as const), amount: fc.nat({ max: 80 }) }),
)
const modes = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Mode>({ _tag: 'plain' }) },
  { weight: 1, arbitrary: fc.constant<Mode>({ _tag: 'expectNew' }) },
  { weight: 1, arbitrary: fc.nat({ max: 1 }).map((behind): Mode => ({ _tag: 'at', behind })) },
)
const operations = [
  fc.tuple(instance, ids, commands, modes).map(([i, id, c, m]) => new Execute(i, id, c, m)),
  fc
    .tuple(instance, ids, fc.option(fc.nat({ max: 6 }), { nil: undefined }))
    .map(([i, id, v]) => new Get(i, id, v)),
]

/**
 * Runs random sequences on `count` (2–4) instances whose recorders come from `recorders` (one per
 * instance, plus one for the oracle, all over one store); `close` ends the store after each run.
 */
export const checkInstances = async (
  store: () => { recorders: () => Recorder; close: () => Promise<void> },
  numRuns: number,
): Promise<void> => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 4 }),
      fc.commands(operations, { maxCommands: 30 }),
      async (n, cmds) => {
        const { recorders, close } = store()
        const instances = Array.from({ length: n }, () =>
          application({ name: 'bank', aggregates: [accounts], recorder: recorders() }),
        )
        const oracle = application({
          name: 'bank',
          aggregates: [accounts],
          recorder: recorders(),
          cacheSize: 0,
        })
        try {
          await fc.asyncModelRun(() => ({ model: {}, real: { instances, oracle } }), cmds)
        } finally {
          for (const app of [...instances, oracle]) await app.close()
          await close()
        }
      },
    ),
    { numRuns },
  )
}
