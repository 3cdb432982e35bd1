// A route's `host:` value (pure): a DNS name (`api.example.com`), a one-label wildcard
// (`*.example.com`), or an IPv4 address; case-insensitive. No port (hosts are matched without
// it), no scheme, no path, no trailing dot. IPv6 literals are refused: their many spellings of one
// address would need a canonical form the Host header does not have.

import { quote } from './quote.js';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

/** Undefined when `h` is a valid route host, else what is wrong ("must ..."). */
export function hostProblem(h: string): string | undefined {
  const got = `(got ${quote(h)})`;
  if (h.includes('://')) return `must be a host name, not a URL: write it without the scheme ${got}`;
  if (h.includes('/')) return `must be a host name without a path: the path goes in prefix ${got}`;
  if (h.startsWith('[') || (h.match(/:/g)?.length ?? 0) > 1) return `must be a DNS name or an IPv4 address: IPv6 literals are not supported ${got}`;
  if (h.includes(':')) return `must not contain a port: hosts are matched without it ${got}`;
  if (h.endsWith('.')) return `must not end with '.' (write ${quote(h.replace(/\.+$/, ''))}) ${got}`;
  const wildcard = h.startsWith('*.');
  const name = (wildcard ? h.slice(2) : h).toLowerCase();
  if (name.includes('*')) return `a wildcard is '*.' followed by a DNS name, like *.example.com (one label only) ${got}`;
  if (name.length === 0 || name.length > 253) return `must be a DNS name of 1 to 253 characters ${got}`;
  const labels = name.split('.');
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) {
    return `must be a DNS name like api.example.com or *.example.com: each label is 1 to 63 letters, digits or '-', not starting or ending with '-' ${got}`;
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) {
    if (wildcard) return `a wildcard needs a DNS name after '*.', not an address ${got}`;
    if (!IPV4.test(name)) return `must be a DNS name or an IPv4 address like 192.0.2.10 ${got}`;
  }
  return undefined;
}
