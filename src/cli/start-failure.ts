// What a failed start says on stderr, in one line a person reads first (the JSON log line
// "failed to start" carries the stack): a port in use or not ours to take names the port and
// the flags that move it; anything else, its message.

/** The stderr line for an error that stopped the start (newline included). */
export function startFailureLine(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if ((e?.code === 'EADDRINUSE' || e?.code === 'EACCES' || e?.code === 'EADDRNOTAVAIL') && e.port !== undefined) {
    const where = `${e.address ?? ''}:${e.port}`;
    const why =
      e.code === 'EADDRINUSE' ? 'is in use by another process' : e.code === 'EACCES' ? 'is not open to this user (ports below 1024 need privileges)' : 'names an address this machine does not have';
    return `strangler: not starting: ${where} ${why} (${e.code}); choose another with --port or PORT (the proxy), --admin-port or ADMIN_PORT (the admin API), --host / --admin-host for the address, or server.port / server.adminPort in the routes file\n`;
  }
  return `strangler: not starting: ${e instanceof Error ? e.message : String(err)}\n`;
}
