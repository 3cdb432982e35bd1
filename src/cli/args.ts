// Command-line parsing and the precedence rule: flags beat environment, which beats `server:` in
// the file, which beats the built-in defaults (the last two are applied by the table).

import { parseArgs } from 'node:util';
import { parseWorkers, type WorkersSetting } from '../workers/count.js';
import { closest } from '../util/suggest.js';
import { parseArgsMessage } from './parse-args-message.js';
import { failUnderOption, httpUrl, parseReplayArgs, type ReplayCommand } from './replay-args.js';

export type Command =
  | { kind: 'serve'; configPath: string; port?: number; host?: string; adminPort?: number; adminHost?: string; adminToken?: string; logLevel: string; workers?: WorkersSetting }
  | { kind: 'check'; file: string; json: boolean; admin?: string; adminToken?: string }
  | { kind: 'status'; admins: string[]; json: boolean; adminToken?: string; adminFrom?: string }
  | { kind: 'report'; admins: string[]; files: string[]; json: boolean; adminToken?: string; top?: number | null; failUnder?: number; adminFrom?: string }
  | ReplayCommand
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'usage-error'; message: string; /** One line, no usage text after it. */ brief?: boolean };

export const USAGE = `strangler: a strangler-fig migration proxy

usage:
  strangler [--config routes.yaml] [--port 8080] [--host 0.0.0.0]
            [--admin-port 9901] [--admin-host 127.0.0.1] [--workers N|auto]
  strangler check routes.yaml [--json]   validate; print the compiled table or every error (exit 0/1)
  strangler check routes.yaml --admin http://127.0.0.1:9901 [--token T]
                                         also print what would change against that running proxy
  strangler report [--admin URL ...] [--file shadow.jsonl ...] [--json] [--top N | --all] [--token T]
                                         the shadow report in the terminal: running proxies'
                                         GET /shadow/report and shadow log files (server.shadowLog),
                                         merged per route; both flags repeat; with neither, reads
                                         --admin http://127.0.0.1:$ADMIN_PORT (unset: the routes
                                         file's server.adminPort, else 9901);
                                         --token (else ADMIN_TOKEN) goes to every admin as a bearer token;
                                         --json prints the merged reports; --top N shows N differing
                                         and noise paths per route (default 10), --all every one
                                         and every kept mismatch; exit 1 when a source fails;
                                         --fail-under PCT: exit 1 unless every route's match rate
                                         (match / (match + mismatch)) is at least PCT
  strangler status [--admin URL ...] [--token T] [--json]
                                         the migration status in the terminal: each route's stage,
                                         sides, shadow, canary and breaker, the share off legacy,
                                         what is ready to cut over (GET /status); several --admin
                                         are merged; default --admin as for report; --token (else
                                         ADMIN_TOKEN) goes to every admin; --json: GET /status's JSON
  strangler replay FILE... --target URL [--config routes.yaml] [--concurrency 8] [--rate R]
            [--timeout 10000] [--header 'Name: value' ...] [--methods GET,HEAD] [--client-path]
            [--fail-under 100] [--junit FILE] [--json]
                                         send recorded requests (record:) to a candidate, compare
                                         its answers with the recorded ones by the shadow's rules,
                                         print the report; exit 0 pass, 1 below --fail-under, 2 usage
  strangler --help | --version

environment (flags win over it; it wins over server: in the file):
  STRANGLER_CONFIG, PORT, ADMIN_PORT, ADMIN_HOST, ADMIN_TOKEN, LOG_LEVEL, STRANGLER_WORKERS
`;

function port(value: string | undefined, what: string): number | undefined | string {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 65535) return `${what} must be a port number 0..65535 (got '${value}')`;
  return Number(value);
}

/** The admin `report` and `status` read when given none: this host, ADMIN_PORT; without it, the
 *  routes file's (STRANGLER_CONFIG or ./routes.yaml: `adminFrom`, read when the command runs), else 9901. */
function defaultAdmin(env: NodeJS.ProcessEnv): { admins: string[]; adminFrom?: string } {
  const p = port(env.ADMIN_PORT, 'ADMIN_PORT');
  if (typeof p === 'number' && p !== 0) return { admins: [`http://127.0.0.1:${p}`] };
  return { admins: ['http://127.0.0.1:9901'], adminFrom: env.STRANGLER_CONFIG || 'routes.yaml' };
}

/** `--top N` / `--all` as how many paths to show (null: all; undefined: the default), or what is wrong. */
function topOption(top: string | undefined, all: boolean): number | null | undefined | { error: string } {
  if (all && top !== undefined) return { error: 'give --top N or --all, not both' };
  if (all) return null;
  if (top === undefined) return undefined;
  if (!/^\d+$/.test(top) || Number(top) < 1) return { error: `--top must be a whole number of at least 1 (got '${top}')` };
  return Number(top);
}

function reportCommand(rest: string[], admins: string[], files: string[], json: boolean, env: NodeJS.ProcessEnv, top: ReturnType<typeof topOption>, failUnder: string | undefined, token: string | undefined): Command {
  if (typeof top === 'object' && top !== null) return { kind: 'usage-error', message: top.error };
  const gate = failUnderOption(failUnder);
  if (typeof gate === 'string') return { kind: 'usage-error', message: gate };
  if (rest.length > 0) {
    return { kind: 'usage-error', message: `report takes no arguments (got '${rest[0]}'); name sources with --admin URL or --file PATH` };
  }
  const bad = admins.find((a) => httpUrl(a) === null);
  if (bad !== undefined) return { kind: 'usage-error', message: `--admin must be an http(s) URL such as http://127.0.0.1:9901 (got '${bad}')` };
  for (const f of files) if (f === '') return { kind: 'usage-error', message: '--file needs a path' };
  const none = admins.length === 0 && files.length === 0;
  return { kind: 'report', ...(none ? defaultAdmin(env) : { admins }), files, json, adminToken: token ?? (env.ADMIN_TOKEN || undefined), top, ...(gate === undefined ? {} : { failUnder: gate }) };
}

/** The options each command takes (one table parses them all): any other is refused, never
 *  ignored (`status --fail-under 100` must not pass a CI gate by doing nothing). */
const OPTIONS_OF: Readonly<Record<string, readonly string[]>> = {
  serve: ['config', 'port', 'host', 'admin-port', 'admin-host', 'workers'],
  check: ['config', 'json', 'admin', 'token'],
  report: ['admin', 'file', 'json', 'top', 'all', 'token', 'fail-under'],
  status: ['admin', 'token', 'json'],
};

/** What is wrong when `values` holds an option `command` does not take (null: nothing). */
function foreignOption(command: string, values: Record<string, unknown>): string | null {
  const takes = OPTIONS_OF[command];
  if (takes === undefined) return null; // (an unknown command is refused by name)
  const given = Object.keys(values).find((k) => values[k] !== undefined && !takes.includes(k));
  if (given === undefined) return null;
  const what = command === 'serve' ? 'serving' : command;
  return `--${given} is not an option of ${what} (it takes ${takes.map((o) => `--${o}`).join(', ')})`;
}

const COMMANDS = ['serve', 'check', 'report', 'status', 'replay'];

/** A mistyped command named back (the config's did-you-mean rule), else the list. */
function didYouMean(typed: string): string {
  const near = closest(typed, COMMANDS);
  return near === undefined ? ` (the commands: ${COMMANDS.join(', ')})` : ` (did you mean '${near}'?)`;
}

export function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  if (argv[0] === 'replay') return parseReplayArgs(argv.slice(1));
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
        workers: { type: 'string' },
        json: { type: 'boolean' },
        admin: { type: 'string', multiple: true },
        file: { type: 'string', multiple: true },
        top: { type: 'string' },
        all: { type: 'boolean' },
        token: { type: 'string' },
        'fail-under': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    return { kind: 'usage-error', message: parseArgsMessage(err) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [sub, ...rest] = positionals;
  const foreign = foreignOption(sub ?? 'serve', values);
  if (foreign !== null) return { kind: 'usage-error', message: foreign };

  if (sub === 'check') {
    const file = rest[0] ?? values.config ?? env.STRANGLER_CONFIG ?? 'routes.yaml';
    if (rest.length > 1) return { kind: 'usage-error', message: 'check takes one file' };
    if ((values.admin?.length ?? 0) > 1) return { kind: 'usage-error', message: 'check takes one --admin' };
    return { kind: 'check', file, json: values.json ?? false, admin: values.admin?.[0], adminToken: values.token ?? (env.ADMIN_TOKEN || undefined) };
  }
  if (sub === 'report') {
    return reportCommand(rest, values.admin ?? [], values.file ?? [], values.json ?? false, env, topOption(values.top, values.all ?? false), values['fail-under'], values.token);
  }
  if (sub === 'status') {
    if (rest.length > 0) return { kind: 'usage-error', message: `status takes no arguments (got '${rest[0]}'); name proxies with --admin URL` };
    const admins = values.admin ?? [];
    const bad = admins.find((a) => httpUrl(a) === null);
    if (bad !== undefined) return { kind: 'usage-error', message: `--admin must be an http(s) URL such as http://127.0.0.1:9901 (got '${bad}')` };
    const token = values.token ?? (env.ADMIN_TOKEN || undefined);
    return { kind: 'status', ...(admins.length === 0 ? defaultAdmin(env) : { admins }), json: values.json ?? false, ...(token === undefined ? {} : { adminToken: token }) };
  }
  if (sub !== undefined && sub !== 'serve') return { kind: 'usage-error', message: `unknown command '${sub}'${didYouMean(sub)}` };

  const p = port(values.port ?? env.PORT, values.port !== undefined ? '--port' : 'PORT');
  const ap = port(values['admin-port'] ?? env.ADMIN_PORT, values['admin-port'] !== undefined ? '--admin-port' : 'ADMIN_PORT');
  if (typeof p === 'string') return { kind: 'usage-error', message: p };
  if (typeof ap === 'string') return { kind: 'usage-error', message: ap };
  const w = values.workers !== undefined ? parseWorkers(values.workers, '--workers') : parseWorkers(env.STRANGLER_WORKERS, 'STRANGLER_WORKERS');
  if (typeof w === 'object') return { kind: 'usage-error', message: w.error };
  return {
    kind: 'serve',
    configPath: values.config ?? env.STRANGLER_CONFIG ?? 'routes.yaml',
    port: p,
    host: values.host,
    adminPort: ap,
    adminHost: values['admin-host'] ?? (env.ADMIN_HOST || undefined),
    adminToken: env.ADMIN_TOKEN || undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
    ...(w === undefined ? {} : { workers: w }),
  };
}
