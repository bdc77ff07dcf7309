// The mapper: encoded events to stored bytes and back (JSON now; compression and encryption plug in here).

import { type Codec, type Encoded, EventfoldError, type JsonValue } from '../codec/index.js'
import type { Notification, StoredEvent } from './records.js'

/** Converts between a codec's encoded events and the recorder's stored events. */
export interface Mapper {
  toStored(streamId: string, version: number, encoded: Encoded): StoredEvent
  /** Throws DecodeError naming the stream, version and notification id when the bytes are not valid. */
  toEncoded(stored: StoredEvent): Encoded
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

const contextOf = (stored: StoredEvent) => ({
  streamId: stored.streamId,
  version: stored.version,
  type: stored.type,
  ...('id' in stored ? { notificationId: (stored as Notification).id } : {}),
})

/** Creates the mapper that stores event data as UTF-8 JSON. */
export const createMapper = (): Mapper => ({
  toStored: (streamId, version, { type, schemaVersion, data }) => ({
    streamId,
    version,
    type,
    schemaVersion,
    data: encoder.encode(JSON.stringify(data)),
  }),
  toEncoded: (stored) => {
    let data: JsonValue
    try {
      data = JSON.parse(decoder.decode(stored.data))
    } catch (error) {
      const place = contextOf(stored)
      throw new EventfoldError(
        'DecodeError',
        `stored data of ${place.streamId}@${place.version} is not UTF-8 JSON`,
        place,
        {
          cause: error,
        },
      )
    }
    return { type: stored.type, schemaVersion: stored.schemaVersion, data }
  },
})

/**
 * Turns a stored event into a domain event through the mapper and the codec; a decode failure is
 * thrown as an EventfoldError carrying the DecodeError's code, path, stream, version and notification id.
 */
export const toDomain = <E>(mapper: Mapper, codec: Codec<E>, stored: StoredEvent): E => {
  const decoded = codec.decode(mapper.toEncoded(stored))
  if (decoded._tag === 'Right') return decoded.right
  const { code, message, path } = decoded.left
  const place = contextOf(stored)
  throw new EventfoldError(code, `${message} (stream "${place.streamId}", version ${place.version})`, {
    ...place,
    path,
  })
}
