// `strangler status [--admin URL ...] [--token T] [--json]`: the migration status in the terminal.
// Reads each running proxy's GET /status/input (the counts and histograms behind GET /status, with
// `Authorization: Bearer` when a token is given), merges them as the primary merges its workers
// (status/merge.ts: counts add, histograms merge), builds the status once (status/build.ts) and
// prints it as a table, or as JSON with --json (the same shape as GET /status). Every replica that
// fails is named on stderr; then nothing is printed on stdout and the exit code is 1.

import { buildStatus } from '../status/build.js';
import { mergeInputs, type StatusInput } from '../status/merge.js';
import type { Io } from './check.js';
import { wantsColour } from './report-render.js';
import { clip, fetchFailure, oneLine } from './report-text.js';
import { formatStatus } from './status-render.js';

export interface StatusOptions {
  readonly admins: readonly string[];
  readonly json: boolean;
  readonly adminToken?: string;
  /** Per admin request. Default 10 s. */
  readonly timeoutMs?: number;
}

type Read = { ok: true; input: StatusInput } | { ok: false; error: string };

function inputProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return 'not an object';
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.routes)) return 'no "routes" list';
  const cells = o.cells as Record<string, unknown> | null;
  if (typeof cells !== 'object' || cells === null || !Array.isArray(cells.sides) || !Array.isArray(cells.series) || !Array.isArray(cells.live)) return 'no "cells"';
  if (!Array.isArray(o.shadow) || !Array.isArray(o.reloads)) return 'no "shadow" or "reloads" list';
  return null;
}

async function readInput(admin: string, token: string | undefined, timeoutMs: number): Promise<Read> {
  const url = admin.replace(/\/+$/, '') + '/status/input';
  const fail = (why: string): Read => ({ ok: false, error: `${url}: ${why}` });
  try {
    const res = await fetch(url, { headers: { accept: 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) }, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (!res.ok) {
      const hint = res.status === 401 ? (token === undefined ? ' (give --token or set ADMIN_TOKEN)' : ' (the token was refused)') : '';
      return fail(`${res.status} ${res.statusText}${hint}${text.trim() === '' ? '' : `: ${clip(oneLine(text.trim()), 200)}`}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return fail(`${res.status} but the body is not JSON: ${clip(oneLine(text.trim()), 120)}`);
    }
    const problem = inputProblem(body);
    return problem === null ? { ok: true, input: body as StatusInput } : fail(`not a status input: ${problem}`);
  } catch (err) {
    return fail(fetchFailure(err, timeoutMs));
  }
}

export async function runStatus(opts: StatusOptions, io: Io): Promise<number> {
  const reads = await Promise.all(opts.admins.map((a) => readInput(a, opts.adminToken, opts.timeoutMs ?? 10_000)));
  const failed = reads.filter((r): r is Extract<Read, { ok: false }> => !r.ok);
  if (failed.length > 0) {
    for (const f of failed) io.stderr.write(`strangler status: ${f.error}\n`);
    io.stderr.write(`strangler status: ${failed.length} of ${reads.length} admin(s) failed; no status printed\n`);
    return 1;
  }
  const status = buildStatus(mergeInputs(reads.map((r) => (r as Extract<Read, { ok: true }>).input)), new Date());
  if (opts.json) io.stdout.write(JSON.stringify(status, null, 2) + '\n');
  else io.stdout.write(formatStatus(status, { colour: wantsColour(io), sources: opts.admins }));
  return 0;
}
