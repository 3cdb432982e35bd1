// How the demo knows a child is up: the line each child prints once it listens (which also
// tells the actual port, so port 0 works), then a TCP connection that is accepted.
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
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

/** Resolves once host:port accepts a connection; rejects after `timeoutMs`. */
export async function waitForConnect(name: string, host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(host, port))) {
    if (Date.now() >= deadline) throw new Error(`${name} said it listens on port ${port} but ${host}:${port} refuses connections`);
    await delay(100);
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
