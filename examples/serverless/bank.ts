// A bank-account service for serverless handlers: accounts as an aggregate, commands over HTTP
// (eventfold/interface), each account's state by GET, and totals read from a projection of the log.

import { type Application, aggregate, application } from 'eventfold/application'
import type { EventOf } from 'eventfold/codec'
import { fromZod } from 'eventfold/codec/zod'
import { type Decider, reject } from 'eventfold/decide'
import { createCommandHandler, route } from 'eventfold/interface'
import { createProjection } from 'eventfold/runners'
import * as z from 'zod'

// Events are a storage contract: their names and shapes change only through upcasters.
const accountEvents = fromZod({
  AccountOpened: z.object({ owner: z.string().min(1) }),
  Deposited: z.object({ amount: z.number().int().positive() }),
  Withdrawn: z.object({ amount: z.number().int().positive() }),
})
type AccountEvent = EventOf<typeof accountEvents>

/** The commands, as the HTTP body carries them. */
export const accountCommands = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Open'), owner: z.string().min(1).max(100) }),
  z.object({ type: z.literal('Deposit'), amount: z.number().int().positive().max(1_000_000) }),
  z.object({ type: z.literal('Withdraw'), amount: z.number().int().positive().max(1_000_000) }),
])
type AccountCommand = z.infer<typeof accountCommands>
type Account = { readonly owner: string; readonly balance: number } | null
type Rejection = 'AlreadyOpen' | 'NotOpen' | 'InsufficientFunds'

const account: Decider<AccountCommand, Account, AccountEvent, Rejection> = {
  initialState: null,
  decide: (command, state) => {
    if (command.type === 'Open')
      return state ? reject('AlreadyOpen') : [{ type: 'AccountOpened', owner: command.owner }]
    if (!state) return reject('NotOpen')
    if (command.type === 'Deposit') return [{ type: 'Deposited', amount: command.amount }]
    return command.amount > state.balance
      ? reject('InsufficientFunds')
      : [{ type: 'Withdrawn', amount: command.amount }]
  },
  evolve: (state, event) => {
    if (event.type === 'AccountOpened') return { owner: event.owner, balance: 0 }
    if (!state) return state
    return { ...state, balance: state.balance + (event.type === 'Deposited' ? event.amount : -event.amount) }
  },
}

export const accounts = aggregate({ name: 'account', decider: account, codec: accountEvents })

/** The bank's application: the recorder comes from the environment (memory by default). */
export const createBank = (): Application<typeof accounts> =>
  application({ name: 'bank', aggregates: [accounts] })

/** The HTTP service: commands and states under /api/accounts/{id}, totals under /api/totals. */
export const createService = (bank: Application<typeof accounts>) => {
  const commands = createCommandHandler({
    application: bank,
    basePath: '/api',
    routes: {
      accounts: route({
        aggregate: accounts,
        commands: accountCommands,
        rejectionStatus: (reason) => (reason === 'InsufficientFunds' ? 422 : 409),
        view: (state) => state,
      }),
    },
    metadata: (request) => {
      const id = request.headers.get('x-request-id')
      return id ? { requestId: id.slice(0, 100) } : undefined
    },
  })
  // A read model folded from the log; each read first folds what was committed since the last.
  const totals = createProjection(bank, {
    initialState: { accounts: 0, deposited: 0, withdrawn: 0 },
    evolve: (t, entry) => {
      if (entry._tag !== 'Event') return t
      const { event } = entry
      if (event.type === 'AccountOpened') return { ...t, accounts: t.accounts + 1 }
      if (event.type === 'Deposited') return { ...t, deposited: t.deposited + event.amount }
      return { ...t, withdrawn: t.withdrawn + event.amount }
    },
  })
  return async (request: Request): Promise<Response> => {
    if (new URL(request.url).pathname !== '/api/totals') return commands(request)
    await totals.catchUp()
    const { state, position } = totals.current()
    return Response.json({ ...state, position })
  }
}
