// npm run copy-users: copies the monolith's users into the users service's store.
//   --from DIR   the monolith's data dir  (env LEGACY_DATA_DIR, default .data/legacy)
//   --to DIR     the users service's data dir (env USERS_DATA_DIR, default .data/users)
// Idempotent; run it while the users service is stopped.
import { runCopyCli } from '../demo-kit/copy-cli.js';
import { copyUsers, describeCopy } from '../demo-kit/copy-users.js';

await runCopyCli({ name: 'copy-users', targetEnv: 'USERS_DATA_DIR', targetDefault: '.data/users', copy: copyUsers, describe: describeCopy });
