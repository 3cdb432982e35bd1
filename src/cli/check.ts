// `strangler check FILE`: validate (the very step the table is compiled from), then print the
// effective routes (or every error). Exit 0/1. Nothing runs: no pools, metrics or logger.

import { formatConfigError, formatConfigErrors, sortConfigErrors } from '../config/format.js';
import { adminExposureError } from './check-admin-exposure.js';
import { loadRoutesFile } from '../routing/source.js';
import type { ConfigError, StranglerConfig } from '../config/types.js';
import { describeEffective } from '../routing/describe.js';
import { LOG } from '../observability/log-messages.js';
import { diffConfigs, formatChanges } from '../routing/diff.js';
import { bySpecificity } from '../routing/segment-matcher.js';
import type { EffectiveAuthenticator, EffectiveCanary, EffectiveConfig, EffectiveRoute } from '../routing/types.js';

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

export interface CheckOptions {
  readonly file: string;
  readonly json: boolean;
  /** A running proxy's admin URL: print what the file would change there. */
  readonly admin?: string;
  readonly adminToken?: string;
}

export async function runCheck(opts: CheckOptions, io: Io): Promise<number> {
  const { file, json } = opts;
  const loaded = await loadRoutesFile(file, io.env);
  if (!loaded.ok) return invalid(file, loaded.errors, `${file}: ${loaded.errors.length} error(s); the file is not valid`, json, io);
  const exposed = await adminExposureError(file, loaded.config, io.env);
  if (exposed !== undefined) return invalid(file, [exposed], `${file}: valid, but strangler would not start with it where ADMIN_TOKEN is unset`, json, io);
  const meta = { version: loaded.version, file: loaded.file };
  const live = opts.admin === undefined ? null : await runningConfig(opts.admin, opts.adminToken, io);
  if (live === undefined) return 1;
  const changes = live === null ? null : formatChanges(diffConfigs(live.config, loaded.config));
  if (json) {
    // One JSON document on stdout: the effective table, and what it would change where asked.
    const against = live === null ? {} : { against: { admin: opts.admin, version: live.version, changes } };
    io.stdout.write(JSON.stringify({ ...describeEffective(loaded.effective, meta), ...against }, null, 2) + '\n');
    return 0;
  }
  io.stdout.write(formatTable(loaded.effective, meta));
  if (live !== null) io.stdout.write(changesText(opts.admin!, live.version, loaded.version, changes!));
  return 0;
}

/** Exit 1 with every error: as text on stderr, or (--json) as JSON on stdout and the summary line on stderr. */
function invalid(file: string, errors: readonly ConfigError[], summary: string, json: boolean, io: Io): number {
  if (json) {
    const list = sortConfigErrors(errors).map((e) => ({ file: e.file, line: e.line, column: e.column, path: e.path, message: e.message, text: formatConfigError(e) }));
    io.stdout.write(JSON.stringify({ file, valid: false, errors: list }, null, 2) + '\n');
    io.stderr.write(`${summary}\n`);
  } else {
    io.stderr.write(`${formatConfigErrors(errors)}\n${summary}\n`);
  }
  return 1;
}

/** The config of the proxy running at `admin` (its GET /config); undefined when it cannot be read (said on stderr). */
async function runningConfig(admin: string, token: string | undefined, io: Io): Promise<{ version: string; config: StranglerConfig } | undefined> {
  const url = admin.replace(/\/+$/, '') + '/config';
  try {
    const res = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${res.status} ${res.statusText}${res.status === 401 ? ' (set ADMIN_TOKEN or --token)' : ''}`);
    return (await res.json()) as { version: string; config: StranglerConfig };
  } catch (err) {
    io.stderr.write(`strangler check: cannot read the running config from ${url}: ${(err as Error).message}\n`);
    return undefined;
  }
}

/** What saving this file would change in the proxy running at `admin`, in words. */
function changesText(admin: string, liveVersion: string, version: string, lines: readonly string[]): string {
  return lines.length === 0
    ? `\nno changes against the running proxy at ${admin} (version ${liveVersion})\n`
    : `\nchanges against the running proxy at ${admin} (version ${liveVersion} -> ${version}):\n` + lines.map((l) => `  ${l}\n`).join('');
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => '  ' + r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

const FALLBACK_OFF = LOG.fallbackOffOwnUpstream;

function policies(r: EffectiveRoute): string {
  const out: string[] = [`timeout ${r.timeoutMs}ms`, r.idleTimeoutMs === 0 ? 'idle none' : `idle ${r.idleTimeoutMs}ms`];
  if (r.retry.attempts > 1) out.push(`retry x${r.retry.attempts}`);
  if (r.breaker !== null) out.push(`breaker ${r.breaker.consecutiveFailures}/${r.breaker.halfOpenAfterMs}ms`);
  if (r.fallback !== null) out.push(`fallback ${r.fallback.upstream} (${r.fallback.methods === null ? 'every replay-safe method' : r.fallback.methods.join(',')})`);
  else if (r.fallbackOff) out.push(FALLBACK_OFF);
  if (r.shadow !== null) out.push(`shadow ${r.shadow.upstream} ${r.shadow.percent}%`);
  else if (r.shadowOff) out.push(LOG.shadowOffOwnUpstream); // (the reload's warning, word for word)
  if (r.canary !== null) out.push(canaryText(r.canary));
  else if (r.canaryOff) out.push(LOG.canaryOffOwnUpstream);
  if (r.record !== null) out.push(`record ${r.record.percent}% of ${r.record.methods.join(',')} to ${r.record.file}`);
  if (!r.preserveHost) out.push('preserveHost false'); // the default is true (contract v2)
  if (r.auth !== null) out.push(`auth ${r.auth.join(' or ')}`);
  if (r.rateLimit !== null) {
    const k = r.rateLimit.key;
    out.push(`rate limit ${r.rateLimit.requestsPerSecond}/s burst ${r.rateLimit.burst} by ${k.kind === 'client-ip' ? 'client-ip' : `${k.kind}:${k.name}`}`);
  }
  return out.join(', ');
}

function canaryText(c: EffectiveCanary): string {
  if (c.steps === undefined || c.gates === undefined) return `canary ${c.upstream} ${c.percent}%`;
  const g = c.gates;
  return `canary ${c.upstream} steps ${c.steps.join('/')}% every ${c.stepEveryMs}ms (gates: error rate <= ${g.maxErrorRate}, p99 <= ${g.maxP99Ratio}x the primary's, >= ${g.minRequests} requests)`;
}

/** Where an authenticator gets its answer (never a secret's value). */
function authSource(a: EffectiveAuthenticator): string {
  if (a.kind === 'forward') return `asks ${a.upstream} ${a.path}, copies ${a.copyHeaders.join(', ') || 'nothing'}`;
  const key = a.jwksUrl ?? (a.publicKey !== null ? `public key ${a.publicKey}` : 'a shared secret');
  return `${key}, ${a.algorithms.join(',')}${a.claimsToHeaders.length === 0 ? '' : `, ${a.claimsToHeaders.map(([c, h]) => `${c} -> ${h}`).join(', ')}`}`;
}

/** Exact hosts first (by name), then wildcards, then the routes of any host: the order they are tried in. */
function byHost(a: EffectiveRoute, b: EffectiveRoute): number {
  const rank = (h: string | null): number => (h === null ? 2 : h.startsWith('*.') ? 1 : 0);
  return rank(a.host) - rank(b.host) || (a.host ?? '').localeCompare(b.host ?? '');
}

export function formatTable(effective: EffectiveConfig, meta: { version: string; file: string }): string {
  const upstreams = pad([...effective.upstreams].map(([name, u]) => [name, u.url, u.tls?.insecureSkipVerify === true ? `warning: ${LOG.upstreamTlsUnverified}` : '']));
  const sorted = [...effective.routes].sort((a, b) => byHost(a, b) || bySpecificity(a.prefix, b.prefix) || a.index - b.index);
  // The HOST column only when some route has a host: a file without one prints as before.
  const hosts = effective.routes.some((r) => r.host !== null);
  const routes = pad([
    [...(hosts ? ['HOST'] : []), 'PREFIX', 'METHODS', 'UPSTREAM', 'FORWARDED AS', 'POLICIES'],
    ...sorted.map((r) => [
      ...(hosts ? [r.host ?? 'any'] : []),
      r.prefix,
      r.methods === null ? 'any' : r.methods.join(','),
      r.upstream,
      r.prefixRewrite === null ? r.prefix : r.prefixRewrite,
      policies(r),
    ]),
  ]);
  const auth = effective.auth.size === 0 ? '' : `authenticators:\n${pad([...effective.auth.values()].map((a) => [a.name, a.kind, authSource(a)]))}\n`;
  return (
    `${meta.file}: valid, version ${meta.version}\n\nupstreams:\n${upstreams}\n${auth}` +
    `routes (${hosts ? 'exact hosts, then wildcards, then any host; ' : ''}most specific prefix first, as matched):\n${routes}`
  );
}
