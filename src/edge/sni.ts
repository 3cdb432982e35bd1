// SNI: which certificate a handshake's server name gets. Candidates are the default certificate
// (server.tls.cert) then `certificates`, in file order; a name one of their subjectAltName DNS
// names covers exactly wins over a wildcard (`*.example.com`: one label, not the bare domain),
// the first in order among equals. No name covered (or no SNI at all): the default certificate.
// Names compare case-insensitively.

export interface SniCandidate<C> {
  /** subjectAltName DNS names, lower case. */
  readonly names: readonly string[];
  readonly context: C;
}

export function chooseBySni<C>(servername: string | undefined, candidates: readonly SniCandidate<C>[], fallback: C): C {
  if (servername === undefined || servername === '') return fallback;
  const name = servername.toLowerCase().replace(/\.$/, '');
  const exact = candidates.find((c) => c.names.includes(name));
  if (exact !== undefined) return exact.context;
  const dot = name.indexOf('.');
  if (dot <= 0) return fallback;
  const wildcard = '*' + name.slice(dot);
  return candidates.find((c) => c.names.includes(wildcard))?.context ?? fallback;
}
