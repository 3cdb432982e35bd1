// The schema of `server.tracing` (OpenTelemetry spans over OTLP/HTTP; see src/tracing/).

import type { SchemaObject } from 'ajv';

export const tracingSchema: SchemaObject = {
  type: 'object',
  properties: {
    otlpEndpoint: { type: 'string', pattern: '^https?://[^\\s/]+(/\\S*)?$', 'x-expected': 'an http(s) URL, like http://127.0.0.1:4318/v1/traces' },
    protocol: { type: 'string', enum: ['http/protobuf', 'http/json'] },
    sampleRatio: { type: 'number', minimum: 0, maximum: 1 },
    serviceName: { type: 'string', minLength: 1 },
  },
  required: ['otlpEndpoint'],
  additionalProperties: false,
};
