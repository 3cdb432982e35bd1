// Runs the users service from the environment: PORT (8001), HOST (127.0.0.1),
// DATA_DIR (.data/users, relative to the current directory) and LEGACY_URL
// (http://127.0.0.1:8000, where the monolith answers for orders).
import { resolve } from 'node:path';
import { portFromEnv, stringFromEnv } from '../../demo-kit/env.js';
import { runApp } from '../../demo-kit/run-app.js';
import { startUsersService } from './server.js';

await runApp('users service', () =>
  startUsersService({
    port: portFromEnv('PORT', 8001),
    host: stringFromEnv('HOST', '127.0.0.1'),
    dataDir: resolve(stringFromEnv('DATA_DIR', '.data/users')),
    legacyUrl: stringFromEnv('LEGACY_URL', 'http://127.0.0.1:8000'),
    log: (line) => console.log(line),
  }),
);
