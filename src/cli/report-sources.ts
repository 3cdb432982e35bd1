// `strangler report`'s sources: a running proxy's GET /shadow/report, or a shadow log file.
// Each gives its reports (a file's events become one report per route) or every error, named
// (the URL and the status or the error; a file's bad lines as file:line, the first 10).

import { readShadowLog } from '../shadow/log-line.js';
import { emptyReport, record, type ShadowReport } from '../shadow/report.js';
import { clip, describeFetchError, fetchFailure, oneLine } from './report-text.js';
import { reportProblem } from './report-shapes.js';

/** What one source gave. */
export type SourceInfo =
  | { kind: 'admin'; url: string; routes: number }
  | { kind: 'file'; path: string; events: number; routes: number; /** events before their route's last restart line: not counted */ before: number }
  | { kind: 'replay'; files: string[]; target: string; lines: number; routes: number };

export type SourceResult = { ok: true; info: SourceInfo; reports: ShadowReport[] } | { ok: false; errors: string[] };

const BAD_LINES_SHOWN = 10;

export async function readAdmin(admin: string, token: string | undefined, timeoutMs: number): Promise<SourceResult> {
  const url = admin.replace(/\/+$/, '') + '/shadow/report';
  const fail = (why: string): SourceResult => ({ ok: false, errors: [`${url}: ${why}`] });
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { accept: 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return fail(fetchFailure(err, timeoutMs));
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    return fail(`${res.status} ${res.statusText}, the body broke off: ${describeFetchError(err, timeoutMs)}`);
  }
  if (!res.ok) {
    const hint = res.status === 401 ? (token === undefined ? ' (set ADMIN_TOKEN)' : ' (ADMIN_TOKEN was refused)') : '';
    const detail = text.trim() === '' ? '' : `: ${clip(oneLine(text.trim()), 200)}`;
    return fail(`${res.status} ${res.statusText}${hint}${detail}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return fail(`${res.status} but the body is not JSON: ${clip(oneLine(text.trim()), 120)}`);
  }
  const routes = (body as { routes?: unknown } | null)?.routes;
  if (!Array.isArray(routes)) return fail('not a shadow report (no "routes" list)');
  const reports: ShadowReport[] = [];
  for (const [i, entry] of routes.entries()) {
    const report = (entry as { report?: unknown } | null)?.report;
    const problem = reportProblem(report);
    if (problem !== null) return fail(`not a shadow report: routes[${i}].report ${problem}`);
    reports.push(report as ShadowReport);
  }
  return { ok: true, info: { kind: 'admin', url: admin, routes: reports.length }, reports };
}

export async function readFileSource(path: string): Promise<SourceResult> {
  const byRoute = new Map<string, ShadowReport>();
  const errors: string[] = [];
  /** Each route's shadow config (hash) as its last restart line gave it. */
  const configOf = new Map<string, string | undefined>();
  let bad = 0;
  let events = 0;
  let before = 0;
  try {
    for await (const entry of readShadowLog(path)) {
      if ('error' in entry) {
        bad++;
        if (bad <= BAD_LINES_SHOWN) errors.push(`${path}:${entry.line}: ${entry.error}`);
        continue;
      }
      if ('restart' in entry) {
        // The route's report starts afresh here, as the proxy's did, unless this is a restart
        // of the proxy with the config the route had (results survive restarts).
        const { route, at, restart, config } = entry.restart;
        const continues = restart === 'config' && configOf.has(route) && configOf.get(route) === config;
        if (restart === 'config') configOf.set(route, config);
        if (restart === 'off') {
          configOf.delete(route); // (shadowing again starts afresh)
          continue;
        }
        if (!continues) {
          before += byRoute.get(route)?.mirrored ?? 0;
          byRoute.set(route, emptyReport(route, at));
        }
        continue;
      }
      const event = entry.event;
      events++;
      let r = byRoute.get(event.route);
      if (r === undefined) {
        r = emptyReport(event.route, event.at);
        byRoute.set(event.route, r);
      }
      record(r, event);
    }
  } catch (err) {
    errors.push(`${path}: cannot read: ${(err as Error).message}`);
  }
  if (bad > BAD_LINES_SHOWN) errors.push(`${path}: ${bad - BAD_LINES_SHOWN} more bad line(s)`);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, info: { kind: 'file', path, events, routes: byRoute.size, before }, reports: [...byRoute.values()] };
}
