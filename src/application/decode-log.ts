// Decoding the notification log with the codecs of an application's aggregates: every notification
// becomes an event, or an explicit Erased entry — never skipped.

import { EventfoldError } from '../codec/index.js'
import {
  createMapper,
  type DataKeys,
  isEventfoldError,
  type Mapper,
  type Notification,
  toDomain,
} from '../store/index.js'
import type { AnyAggregate, EventOfAggregate } from './aggregate.js'

/** A decoded event of aggregate G: `aggregate` is G's name, `event` one of G's events. */
type EventEntry<G> = G extends { readonly name: infer N extends string }
  ? {
      readonly _tag: 'Event'
      readonly notification: Notification
      readonly aggregate: N
      readonly event: EventOfAggregate<G>
    }
  : never

/**
 * A decoded notification of the log, or one whose data subject was erased. Over an application's
 * aggregates `A` it is a union discriminated by aggregate name: `entry.aggregate === 'dog'` narrows
 * `entry.event` to the dog's events.
 */
export type LogEntry<A extends AnyAggregate = AnyAggregate> =
  | EventEntry<A>
  | { readonly _tag: 'Erased'; readonly notification: Notification; readonly aggregate: A['name'] }

/** Decodes one notification by the aggregate its stream belongs to; UnknownAggregate if none. */
export const decodeNotification = (
  aggregates: ReadonlyMap<string, AnyAggregate>,
  mapper: Mapper,
  notification: Notification,
  keys: DataKeys | undefined,
): LogEntry => {
  const name = notification.streamId.slice(0, notification.streamId.indexOf('-'))
  const aggregate = aggregates.get(name)
  if (!aggregate) {
    throw new EventfoldError(
      'UnknownAggregate',
      `notification ${notification.id} belongs to no aggregate named "${name}"`,
      {
        notificationId: notification.id,
        streamId: notification.streamId,
      },
    )
  }
  try {
    return {
      _tag: 'Event',
      notification,
      aggregate: name,
      event: toDomain(mapper, aggregate.codec, notification, keys),
    }
  } catch (error) {
    if (isEventfoldError(error, 'EventErased')) return { _tag: 'Erased', notification, aggregate: name }
    throw error
  }
}

/**
 * Decodes notifications of an application that lives elsewhere (read through a remote log), with
 * its aggregates' codecs. Records encrypted per data subject cannot be read here: their keys stay
 * with their application (DecryptionError).
 */
export const createLogDecoder = (options: {
  readonly aggregates: readonly AnyAggregate[]
  readonly mapper?: Mapper
}) => {
  const aggregates = new Map(options.aggregates.map((a) => [a.name, a]))
  const mapper = options.mapper ?? createMapper()
  return async (notifications: readonly Notification[]): Promise<readonly LogEntry[]> =>
    notifications.map((n) => decodeNotification(aggregates, mapper, n, undefined))
}
