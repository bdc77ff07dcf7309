// eventfold/telemetry: the OpenTelemetry adapter of the Instrumentation port (needs @opentelemetry/api).

export { type OpenTelemetryOptions, openTelemetry } from './opentelemetry.js'
