// Contract v2: an admin host other than loopback without ADMIN_TOKEN is refused at start. The
// admin API can read the config and reload it; bound to 0.0.0.0 with no token, anyone who can
// reach the port can. The decision and its sentence, pure; bootstrap.ts and `strangler check` say it.

import { isLoopbackHost } from '../util/host-name.js';

/** Why the admin API may not listen on `host` with this token, or undefined when it may.
 *  `from` says where the host was set (`server.adminHost in routes.yaml`, `--admin-host or ADMIN_HOST`). */
export function adminExposureProblem(host: string, token: string | undefined, from: string): string | undefined {
  if ((token !== undefined && token !== '') || isLoopbackHost(host)) return undefined;
  return (
    `the admin API would listen on ${host} (${from}), which is not a loopback address, and ADMIN_TOKEN is not set: ` +
    `anyone who can reach that address could read the config and reload it. ` +
    `Set ADMIN_TOKEN (every admin endpoint but /healthz and /readyz then needs it), or bind the admin API to loopback (adminHost: 127.0.0.1)`
  );
}

export class AdminExposedError extends Error {
  constructor(problem: string) {
    super(`refusing to start: ${problem}`);
    this.name = 'AdminExposedError';
  }
}
