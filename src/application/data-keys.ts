// Crypto-shredding: one data key per data subject, stored wrapped under the application's keyring;
// deleting it erases every record encrypted with it.

import { EventfoldError } from '../codec/index.js'
import {
  checkStreamId,
  type DataKeyRecorder,
  type DataKeys,
  type Mapper,
  type StoredEvent,
} from '../store/index.js'
import type { AnyAggregate } from './aggregate.js'
import { createLru } from './lru.js'
import type { Subject } from './repository.js'

/** The data keys of an application's subjects. */
export interface SubjectKeys {
  /** The subject of aggregate `id` with its key (created on first use), or undefined without `subjectOf`. */
  subjectFor(aggregate: AnyAggregate, id: string): Promise<Subject | undefined>
  /** The keys that records encrypted per subject need; an erased subject's is null. */
  keysFor(records: readonly StoredEvent[]): Promise<DataKeys | undefined>
  /** Deletes the subject's key, here and in the store. */
  erase(subject: string): Promise<void>
}

/** Creates the data-key manager; keys are kept in memory once unwrapped (at most 10,000). */
export const createSubjectKeys = (recorder: Partial<DataKeyRecorder>, mapper: Mapper): SubjectKeys => {
  const cache = createLru<Uint8Array>(10_000)
  const store = (): DataKeyRecorder => {
    const { insertDataKey, selectDataKeys, deleteDataKey, replaceDataKey } = recorder
    if (!insertDataKey || !selectDataKeys || !deleteDataKey || !replaceDataKey) {
      throw new EventfoldError('InvalidConfiguration', 'the recorder does not store data keys')
    }
    return { insertDataKey, selectDataKeys, deleteDataKey, replaceDataKey }
  }

  const keyOf = async (subject: string): Promise<Uint8Array> => {
    const known = cache.get(subject)
    if (known) return known
    const keys = store()
    const wrapped =
      (await keys.selectDataKeys([subject])).get(subject) ??
      (await keys.insertDataKey(subject, mapper.wrapKey(subject, mapper.newDataKey())))
    const key = mapper.unwrapKey(subject, wrapped)
    cache.set(subject, key)
    return key
  }

  return {
    subjectFor: async (aggregate, id) => {
      if (!aggregate.subjectOf) return undefined
      const subject = checkStreamId(aggregate.subjectOf(id))
      return { id: subject, key: await keyOf(subject) }
    },
    keysFor: async (records) => {
      const found = new Set<string>()
      for (const record of records) {
        const subject = mapper.subjectOf(record)
        if (subject !== undefined) found.add(subject)
      }
      if (found.size === 0) return undefined
      const subjects = [...found]
      const missing = subjects.filter((s) => cache.get(s) === undefined)
      if (missing.length > 0) {
        for (const [subject, wrapped] of await store().selectDataKeys(missing)) {
          cache.set(subject, mapper.unwrapKey(subject, wrapped))
        }
      }
      return new Map(subjects.map((s) => [s, cache.get(s) ?? null]))
    },
    erase: async (subject) => {
      await store().deleteDataKey(checkStreamId(subject))
      cache.delete(subject)
    },
  }
}
