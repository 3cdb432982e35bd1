// Runs the legacy monolith from the environment: PORT (8000), HOST (127.0.0.1) and
// DATA_DIR (.data/legacy, relative to the current directory).
import { resolve } from 'node:path';
import { portFromEnv, stringFromEnv } from '../demo-kit/env.js';
import { runApp } from '../demo-kit/run-app.js';
import { startLegacy } from './server.js';

await runApp('legacy monolith', () =>
  startLegacy({
    port: portFromEnv('PORT', 8000),
    host: stringFromEnv('HOST', '127.0.0.1'),
    dataDir: resolve(stringFromEnv('DATA_DIR', '.data/legacy')),
    log: (line) => console.log(line),
  }),
);
