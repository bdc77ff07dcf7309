// The re-encryption job: moves a store to the keyring's current key after a rotation — events,
// the latest snapshot of each stream, and the data keys of data subjects.

import type { Mapper } from './mapper.js'
import type { Recorder } from './recorder.js'

/** What the job changed. */
export interface ReencryptReport {
  readonly events: number
  readonly snapshots: number
  readonly dataKeys: number
}

/**
 * Re-encrypts, page by page, every record not under the current key (plaintext records too, so it
 * also encrypts a store that was written without encryption). Safe to run while the application
 * writes (new records use the current key already) and to run again (it skips what is current).
 * Older snapshots than each stream's latest are left as they are: they are only read by `get` at
 * an older version, and one that no longer decrypts is replayed past with a warning.
 */
export const reencrypt = async (
  recorder: Recorder,
  mapper: Mapper,
  options: { readonly pageSize?: number } = {},
): Promise<ReencryptReport> => {
  const pageSize = options.pageSize ?? 500
  const streams = new Set<string>()
  const subjects = new Set<string>()
  let events = 0
  for (let start = 1; ; ) {
    const page = await recorder.selectNotifications(start, pageSize)
    const rewrites = []
    for (const notification of page) {
      streams.add(notification.streamId)
      const subject = mapper.subjectOf(notification)
      if (subject !== undefined) subjects.add(subject)
      const resealed = mapper.reseal(notification, 'event')
      if (resealed) rewrites.push(resealed)
    }
    if (rewrites.length > 0) await recorder.replaceEventData(rewrites)
    events += rewrites.length
    if (page.length < pageSize) break
    start = (page[page.length - 1]?.id ?? start) + 1
  }
  let snapshots = 0
  for (const streamId of streams) {
    const snapshot = await recorder.selectSnapshot(streamId)
    const resealed = snapshot && mapper.reseal(snapshot, 'snapshot')
    if (resealed) {
      await recorder.insertSnapshot(resealed)
      snapshots += 1
    }
  }
  let dataKeys = 0
  const wrapped = await recorder.selectDataKeys([...subjects])
  for (const [subject, key] of wrapped) {
    const rewrapped = mapper.rewrapKey(subject, key)
    if (rewrapped) {
      await recorder.replaceDataKey(subject, rewrapped)
      dataKeys += 1
    }
  }
  return { events, snapshots, dataKeys }
}
