// The Docker image's HEALTHCHECK: GET /healthz on the admin port the proxy really uses.
// ADMIN_PORT / ADMIN_HOST when set at `docker run` (they beat the file), else server.adminPort /
// server.adminHost of the mounted routes file (STRANGLER_CONFIG), else 9901 / 127.0.0.1.
// Copied to /app next to dist/ by the Dockerfile; exit 0 healthy, 1 not.
import { loadConfigFile } from './dist/src/config/load.js';

const env = process.env;
const loaded = await loadConfigFile(env.STRANGLER_CONFIG ?? '/etc/strangler/routes.yaml', env).catch(() => null);
const server = loaded?.ok ? (loaded.config.server ?? {}) : {};
const port = Number(env.ADMIN_PORT || server.adminPort || 9901);
let host = env.ADMIN_HOST || server.adminHost || '127.0.0.1';
if (host === '0.0.0.0' || host === '::') host = '127.0.0.1'; // listening everywhere: loopback answers
if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
try {
  const res = await fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(2500) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
