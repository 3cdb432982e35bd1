// npm run copy-users: copies the monolith's users into the users service's store.
//   --from DIR   the monolith's data dir  (env LEGACY_DATA_DIR, default .data/legacy)
//   --to DIR     the users service's data dir (env USERS_DATA_DIR, default .data/users)
// Idempotent; run it while the users service is stopped.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { copyUsers, describeCopy } from './lib/copy-users.js';
import { stringFromEnv } from './lib/env.js';

try {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
  const from = resolve(values.from ?? stringFromEnv('LEGACY_DATA_DIR', '.data/legacy'));
  const to = resolve(values.to ?? stringFromEnv('USERS_DATA_DIR', '.data/users'));
  console.log(describeCopy(await copyUsers(from, to)));
} catch (err) {
  console.error(`copy-users: ${(err as Error).message}`);
  console.error('usage: copy-users [--from LEGACY_DATA_DIR] [--to USERS_DATA_DIR]');
  process.exit(1);
}
