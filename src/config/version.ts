// The config version: a content hash of the validated, expanded config. Comments, key order,
// quoting and layout do not change it; any value that changes does.

import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.js';


/** First 12 hex characters of the sha256 of the canonical JSON. */
export function configVersion(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 12);
}
