// Metadata on stored events: what `execute` and `executeAll` were given, and how a chain of work
// is traced — an event without a correlation id starts its chain, and its own id names it.

import { EventfoldError } from '../codec/index.js'
import {
  type EventMetadata,
  isSealedField,
  type Mapper,
  type Notification,
  type StoredEvent,
} from '../store/index.js'

/** Seals the sensitive fields of an event's metadata. */
export type SealMetadata = (streamId: string, version: number, metadata: EventMetadata) => EventMetadata

/** The stored event with `metadata` (unchanged when there is none), its sensitive fields sealed. */
export const withMetadata = (
  event: StoredEvent,
  metadata: EventMetadata | undefined,
  seal?: SealMetadata,
): StoredEvent =>
  metadata === undefined
    ? event
    : { ...event, metadata: seal ? seal(event.streamId, event.version, metadata) : metadata }

/**
 * The sealer of an application whose metadata fields `sensitive` are encrypted (undefined when none
 * is): it needs a keyring, and the ids that trace a chain of work stay readable.
 */
export const metadataSealer = (mapper: Mapper, sensitive: readonly string[]): SealMetadata | undefined => {
  if (sensitive.length === 0) return undefined
  if (!mapper.encrypts)
    throw new EventfoldError(
      'InvalidConfiguration',
      'sensitiveMetadata needs encryption: set EVENTFOLD_CIPHER_KEY',
    )
  if (sensitive.some((field) => field === 'correlationId' || field === 'causationId'))
    throw new EventfoldError(
      'InvalidConfiguration',
      'correlationId and causationId trace work: they cannot be sensitive',
    )
  return (streamId, version, metadata) => {
    const sealed: Record<string, EventMetadata[string]> = { ...metadata }
    for (const field of sensitive) {
      const value = metadata[field]
      if (value !== undefined) sealed[field] = mapper.sealField(streamId, version, field, value)
    }
    return sealed
  }
}

/**
 * The notification with the application's sensitive fields opened (the same object when it has
 * none). Only those fields are opened: a value merely shaped like a sealed one elsewhere is data.
 */
export const openMetadata = (
  mapper: Mapper,
  sensitive: readonly string[],
  notification: Notification,
): Notification => {
  const { metadata } = notification
  if (!metadata || !sensitive.some((field) => isSealedField(metadata[field]))) return notification
  const opened: Record<string, EventMetadata[string]> = { ...metadata }
  for (const field of sensitive) {
    const value = metadata[field]
    if (isSealedField(value))
      opened[field] = mapper.openField(notification.streamId, notification.version, field, value)
  }
  return { ...notification, metadata: opened }
}
/** The correlation id of the chain a notification belongs to: its own, or, starting one, its event id. */
export const correlationOf = (notification: Notification): string | undefined =>
  notification.metadata?.correlationId ?? notification.eventId

/** The metadata of work caused by a notification: the same chain, caused by that event. */
export const causedBy = (notification: Notification): EventMetadata | undefined => {
  const correlationId = correlationOf(notification)
  if (correlationId === undefined) return undefined
  return notification.eventId === undefined
    ? { correlationId }
    : { correlationId, causationId: notification.eventId }
}
