// The admin `report` and `status` read when told of none and ADMIN_PORT is unset: the one the
// routes file names (server.adminPort, server.adminHost), as `serve` would listen on it, so a
// proxy whose file moved its admin port is found without a flag. A missing file leaves the
// default (http://127.0.0.1:9901); so does one that is not valid, with a note on stderr (the
// answer may then come from another proxy than the file's).

import { existsSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';

const ANY = new Set(['0.0.0.0', '::', '']);

export async function configuredAdmin(file: string, env: NodeJS.ProcessEnv, fallback: string, stderr: NodeJS.WritableStream): Promise<string> {
  const loaded = await loadConfigFile(file, env).catch(() => null);
  if (loaded === null) return fallback;
  if (!loaded.ok) {
    if (existsSync(file)) stderr.write(`strangler: ${file} is not valid (strangler check ${file} says why): asking ${fallback}\n`);
    return fallback;
  }
  const server = loaded.config.server ?? {};
  const port = server.adminPort ?? 9901;
  const host = server.adminHost === undefined || ANY.has(server.adminHost) ? '127.0.0.1' : server.adminHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
