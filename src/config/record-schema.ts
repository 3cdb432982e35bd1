// The schema of a route's `record` (its exchanges written to a JSON-lines file; see src/record/).

import type { SchemaObject } from 'ajv';
import { HEADER_NAME_PATTERN } from './schema-patterns.js';

export const recordSchema: SchemaObject = {
  type: 'object',
  properties: {
    file: { type: 'string', minLength: 1, 'x-expected': 'a file path, like ./capture/orders.jsonl' },
    percent: { type: 'number', minimum: 0, maximum: 100 },
    methods: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[A-Z]+$', 'x-expected': 'an HTTP method in uppercase letters, like GET' },
      'x-expected': 'a non-empty list of HTTP methods, like [GET, HEAD]',
    },
    maxBodyBytes: { type: 'integer', minimum: 0, maximum: 4_194_304 },
    maxFileBytes: { type: 'integer', minimum: 1024 },
    // Our extension: exchanges of the route recorded at once (each holds up to 2 x maxBodyBytes).
    maxConcurrent: { type: 'integer', minimum: 1 },
    redactHeaders: { type: 'array', items: { type: 'string', pattern: HEADER_NAME_PATTERN, 'x-expected': 'a header name like authorization' } },
    // Our extension: JSON paths (the shadow compare's syntax) whose values are recorded as "<redacted>".
    redactJson: { type: 'array', items: { type: 'string', pattern: '^\\$', 'x-expected': "a JSON path starting with '$', like $.card.number" } },
    // Our extension: query parameter names whose values are recorded as "<redacted>" (added to the defaults).
    redactQuery: { type: 'array', items: { type: 'string', minLength: 1, 'x-expected': 'a query parameter name like access_token' } },
  },
  required: ['file'],
  additionalProperties: false,
};
