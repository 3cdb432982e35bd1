// `server.adminAllowedHosts` entries: a host name or IP address the admin API answers to, without
// scheme, port or path (any port is accepted). Used as an ajv format (schema.ts), like checks.ts.

import { quote } from './quote.js';
import { hasPort, hostName } from '../util/host-name.js';

export function allowedHostProblem(h: string): string | undefined {
  const example = 'like admin.internal, 10.0.0.5 or [fd00::1]';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(h)) return `must be a host name without a scheme, ${example} (got ${quote(h)})`;
  const name = hostName(h);
  if (name === undefined) return `must be a host name or IP address, ${example} (got ${quote(h)})`;
  if (hasPort(h)) return `must not carry a port: every port is accepted (write ${quote(name)}, got ${quote(h)})`;
  return undefined;
}
