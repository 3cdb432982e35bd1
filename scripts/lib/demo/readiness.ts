// How the demo and the drills know a child is up: the line each child prints once it listens
// (which also tells the actual port, so port 0 works); then procs.ts's waitForConnect.
import { LOG } from '../../../src/observability/log-messages.js';

/** The apps' line: "<name> listening on http://127.0.0.1:8000". */
export function appListening(line: string): { port: number } | undefined {
  const match = /listening on (https?:\/\/\S+)/.exec(line);
  if (!match) return undefined;
  try {
    const port = Number(new URL(match[1]!).port);
    return port > 0 ? { port } : undefined;
  } catch {
    return undefined;
  }
}

/** The proxy's JSON log line {"msg":"listening","port":N,"adminPort":M}. */
export function proxyListening(line: string): { port: number; adminPort: number } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; port?: unknown; adminPort?: unknown };
    if (entry.msg !== LOG.listening || typeof entry.port !== 'number' || typeof entry.adminPort !== 'number') return undefined;
    return { port: entry.port, adminPort: entry.adminPort };
  } catch {
    return undefined;
  }
}
