// `npm start`: runs the dog-school scenario and prints what it did. The store comes from the
// environment — memory by default; EVENTFOLD_PERSISTENCE=sqlite or postgres (with DATABASE_URL).

import { isLeft } from 'fp-ts/lib/Either.js'
import { createDogSchool } from './dog-school.js'

const school = createDogSchool()
console.log(`Dog school on the ${process.env.EVENTFOLD_PERSISTENCE ?? 'memory'} store`)
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

const notifications = await school.app.log.select(before + 1, 10)
console.log(`Notification log from id ${before + 1} (${notifications.length} notifications):`)
for (const n of notifications) {
  const data = new TextDecoder().decode(n.data)
  console.log(
    `  #${n.id} ${n.type} (schema v${n.schemaVersion}) stream ${n.streamId} version ${n.version} ${data}`,
  )
}
await school.close()
