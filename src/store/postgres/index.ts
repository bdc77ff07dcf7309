// eventfold/store/postgres: the PostgreSQL recorder (needs the `postgres` package).

export {
  createPostgresRecorder,
  type PostgresRecorder,
  type PostgresRecorderOptions,
} from './postgres-recorder.js'
export { type Names, namesOf } from './schema.js'
