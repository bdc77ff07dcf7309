// `npm start`: runs the dog-school scenario and prints what it did. The store comes from the
// environment — memory by default; EVENTFOLD_PERSISTENCE=sqlite or postgres (with DATABASE_URL).

import { readConfig } from 'eventfold/application'
import { createDocumentProjection } from 'eventfold/runners'
import { isLeft } from 'fp-ts/lib/Either.js'
import { createDogSchool } from './dog-school.js'
import { dogsByTrick } from './dogs-by-trick.js'

const school = createDogSchool()
console.log(`Dog school on the ${readConfig(school.app.name).recorder.persistence} store`)
const before = await school.app.log.maxId()

const registered = await school.registerDog('Fido')
if (isLeft(registered)) throw new Error(`could not register Fido: ${registered.left.type}`)
const dogId = registered.right
console.log(`Registered Fido as ${dogId}`)

for (const trick of ['roll over', 'fetch ball']) {
  const added = await school.addTrick(dogId, trick)
  console.log(isLeft(added) ? `Could not add "${trick}": ${added.left.type}` : `Taught Fido to ${trick}`)
}

console.log('getDog →', await school.getDog(dogId))

const entries = await school.app.read(before + 1, 10)
console.log(`Notification log from id ${before + 1} (${entries.length} notifications):`)
for (const entry of entries) {
  const { id, streamId, version, type, schemaVersion } = entry.notification
  const event = entry._tag === 'Event' ? JSON.stringify(entry.event) : '(erased)'
  console.log(`  #${id} ${type} (schema v${schemaVersion}) stream ${streamId} version ${version} ${event}`)
}
// A durable read model of the same log: for each trick, the dogs that know it (stored by the store).
const byTrick = createDocumentProjection({ source: school.app, projection: dogsByTrick })
await byTrick.catchUp()
const tricks = await byTrick.list()
console.log(
  'dogs by trick →',
  Object.fromEntries(tricks.map(({ key, document }) => [key, document.dogs.length])),
)
await school.close()
