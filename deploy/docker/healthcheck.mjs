// The Docker image's HEALTHCHECK: GET /healthz on the admin port the proxy really uses.
// ADMIN_PORT / ADMIN_HOST when set at `docker run` (they beat the file), else server.adminPort /
// server.adminHost of the mounted routes file (STRANGLER_CONFIG), else 9901 / 127.0.0.1.
// The file may have changed since the proxy started: an edit that is not valid (the proxy keeps
// running its last good table) is still read for its server keys, and since a new adminPort takes
// a restart, the default port is tried too. Healthy when one of them answers.
// Copied to /app next to dist/ by the Dockerfile; exit 0 healthy, 1 not.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { loadConfigFile } from './dist/src/config/load.js';

const env = process.env;
const file = env.STRANGLER_CONFIG ?? '/etc/strangler/routes.yaml';
const loaded = await loadConfigFile(file, env).catch(() => null);
const raw = async () => {
  try {
    return parse(await readFile(file, 'utf8'))?.server ?? {};
  } catch {
    return {};
  }
};
const server = loaded?.ok ? (loaded.config.server ?? {}) : await raw();
const hostOf = (h) => {
  if (typeof h !== 'string' || h === '' || h === '0.0.0.0' || h === '::') return '127.0.0.1'; // listening everywhere: loopback answers
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
};
const host = hostOf(env.ADMIN_HOST || server.adminHost);
const ports = [...new Set([env.ADMIN_PORT, server.adminPort, 9901].map(Number).filter((p) => Number.isInteger(p) && p > 0))];
const healthy = async (port) => {
  try {
    return (await fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(2500) })).ok;
  } catch {
    return false;
  }
};
process.exit((await Promise.all(ports.map(healthy))).some(Boolean) ? 0 : 1);
