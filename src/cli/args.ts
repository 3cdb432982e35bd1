// Command-line parsing and the precedence rule: flags beat environment, which beats `server:` in
// the file, which beats the built-in defaults (the last two are applied by the table).

import { parseArgs } from 'node:util';

export type Command =
  | { kind: 'serve'; configPath: string; port?: number; host?: string; adminPort?: number; adminHost?: string; adminToken?: string; logLevel: string }
  | { kind: 'check'; file: string; json: boolean; admin?: string; adminToken?: string }
  | { kind: 'report' }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'usage-error'; message: string };

export const USAGE = `strangler: a strangler-fig migration proxy

usage:
  strangler [--config routes.yaml] [--port 8080] [--host 0.0.0.0]
            [--admin-port 9901] [--admin-host 127.0.0.1]
  strangler check routes.yaml [--json]   validate; print the compiled table or every error (exit 0/1)
  strangler check routes.yaml --admin http://127.0.0.1:9901
                                         also print what would change against that running proxy
  strangler --help | --version

environment (flags win over it; it wins over server: in the file):
  STRANGLER_CONFIG, PORT, ADMIN_PORT, ADMIN_TOKEN, LOG_LEVEL
`;

function port(value: string | undefined, what: string): number | undefined | string {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 65535) return `${what} must be a port number 0..65535 (got '${value}')`;
  return Number(value);
}

export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'admin-port': { type: 'string' },
        'admin-host': { type: 'string' },
        json: { type: 'boolean' },
        admin: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    return { kind: 'usage-error', message: (err as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [sub, ...rest] = positionals;

  if (sub === 'check') {
    const file = rest[0] ?? values.config ?? env.STRANGLER_CONFIG ?? 'routes.yaml';
    if (rest.length > 1) return { kind: 'usage-error', message: 'check takes one file' };
    return { kind: 'check', file, json: values.json ?? false, admin: values.admin, adminToken: env.ADMIN_TOKEN || undefined };
  }
  if (sub === 'report') return { kind: 'report' };
  if (sub !== undefined && sub !== 'serve') return { kind: 'usage-error', message: `unknown command '${sub}'` };

  const p = port(values.port ?? env.PORT, values.port !== undefined ? '--port' : 'PORT');
  const ap = port(values['admin-port'] ?? env.ADMIN_PORT, values['admin-port'] !== undefined ? '--admin-port' : 'ADMIN_PORT');
  if (typeof p === 'string') return { kind: 'usage-error', message: p };
  if (typeof ap === 'string') return { kind: 'usage-error', message: ap };
  return {
    kind: 'serve',
    configPath: values.config ?? env.STRANGLER_CONFIG ?? 'routes.yaml',
    port: p,
    host: values.host,
    adminPort: ap,
    adminHost: values['admin-host'],
    adminToken: env.ADMIN_TOKEN || undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
