// `npm start`: runs the dog-school scenario on the default store and prints what it did.

import { isLeft } from 'fp-ts/lib/Either.js'
import { createDogSchool } from './dog-school.js'

const school = createDogSchool()
const registered = await school.registerDog('Fido')
if (isLeft(registered)) throw new Error(`could not register Fido: ${registered.left.type}`)
const dogId = registered.right
console.log(`Registered Fido as ${dogId}`)

for (const trick of ['roll over', 'fetch ball']) {
  const added = await school.addTrick(dogId, trick)
  console.log(isLeft(added) ? `Could not add "${trick}": ${added.left.type}` : `Taught Fido to ${trick}`)
}

console.log('getDog →', await school.getDog(dogId))

const notifications = await school.app.log.select(1, 10)
console.log(`Notification log (${notifications.length} notifications):`)
for (const n of notifications) {
  console.log(
    `  #${n.id} ${n.type} v${n.schemaVersion} stream ${n.streamId} version ${n.version} ${new TextDecoder().decode(n.data)}`,
  )
}
await school.close()
