// `strangler replay FILE... --target URL`: replays recorded requests to a candidate and gates on
// how many answers match the recorded ones (replay/replay.ts does the work). Prints the shadow
// report of the replay (the terminal table of `strangler report`, or with --json the same JSON
// plus the gate), the gate's lines, and writes JUnit XML with --junit. Exit 0 when the gate
// passes, 1 when it does not, 2 on a usage error (a flag, an unreadable file, an invalid
// --config). `--config` is loaded and validated the way `strangler check` does it: nothing
// starts. On a terminal, stderr shows a progress line, rewritten in place.

import { access, constants, writeFile } from 'node:fs/promises';
import { replay, type Progress } from '../replay/replay.js';
import { renderJunit } from '../replay/junit.js';
import type { EffectiveConfig } from '../routing/types.js';
import { groupDigits } from '../shadow/format.js';
import { gateLines, gateOf } from '../shadow/gate.js';
import { summarize } from '../shadow/summary.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { Io } from './check.js';
import { formatReport, wantsColour } from './report-render.js';
import type { SourceInfo } from './report-sources.js';
import type { ReplayCommand } from './replay-args.js';

const PROGRESS_EVERY_MS = 200;
const SIDES = { primary: 'recorded', shadow: 'candidate' } as const;

function progressLine(p: Progress): string {
  return `replayed ${groupDigits(p.lines)}: match ${groupDigits(p.match)}, mismatch ${groupDigits(p.mismatch)}, no answer ${groupDigits(p.errors)}, skipped ${groupDigits(p.skipped)}`;
}

/** A progress reporter for a terminal's stderr (null when stderr is not one). */
function progressOn(io: Io, clock: Clock): { tell(p: Progress): void; clear(): void } | null {
  if ((io.stderr as { isTTY?: boolean }).isTTY !== true) return null;
  let last = -Infinity;
  let shown = false;
  return {
    tell(p) {
      const now = clock.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      shown = true;
      io.stderr.write(`\r\x1b[K${progressLine(p)}`);
    },
    clear() {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}

/** The config's code (yaml, the schema) is loaded only for --config: a replay without one never needs it. */
async function loadConfig(file: string, io: Io): Promise<EffectiveConfig | string> {
  const [{ loadRoutesFile }, { formatConfigErrors }] = await Promise.all([import('../routing/source.js'), import('../config/format.js')]);
  const loaded = await loadRoutesFile(file, io.env);
  if (!loaded.ok) return `${formatConfigErrors(loaded.errors)}\nstrangler replay: ${file}: ${loaded.errors.length} error(s); the file is not valid`;
  return loaded.effective;
}

export async function runReplay(cmd: ReplayCommand, io: Io, clock: Clock = systemClock): Promise<number> {
  const usage = (message: string): number => {
    io.stderr.write(`strangler replay: ${message}\n`);
    return 2;
  };
  for (const f of cmd.files) {
    try {
      await access(f, constants.R_OK);
    } catch (err) {
      return usage(`cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  let effective: EffectiveConfig | null = null;
  if (cmd.config !== undefined) {
    const c = await loadConfig(cmd.config, io);
    if (typeof c === 'string') {
      io.stderr.write(`${c}\n`);
      return 2;
    }
    effective = c;
  }

  const progress = progressOn(io, clock);
  let outcome;
  try {
    outcome = await replay(
      {
        files: cmd.files,
        target: cmd.target,
        methods: new Set(cmd.methods),
        concurrency: cmd.concurrency,
        rate: cmd.rate,
        timeoutMs: cmd.timeoutMs,
        headers: cmd.headers,
        clientPath: cmd.clientPath,
        effective,
      },
      { clock, ...(progress === null ? {} : { onProgress: (p: Progress) => progress.tell(p) }) },
    );
  } catch (err) {
    progress?.clear();
    return usage(`cannot read the recording: ${(err as Error).message}`);
  }
  progress?.clear();

  for (const b of outcome.firstBadLines) io.stderr.write(`strangler replay: ${b.file}:${b.line}: skipped, ${b.error}\n`);
  if (outcome.badLines > outcome.firstBadLines.length) io.stderr.write(`strangler replay: ${outcome.badLines - outcome.firstBadLines.length} more line(s) skipped\n`);

  const gate = gateOf(outcome.reports, cmd.failUnder);
  const generatedAt = new Date(clock.now()).toISOString();
  if (cmd.junit !== undefined) {
    try {
      await writeFile(cmd.junit, renderJunit(outcome.endpoints, generatedAt));
    } catch (err) {
      return usage(`cannot write --junit ${cmd.junit}: ${(err as Error).message}`);
    }
  }
  const source: SourceInfo = { kind: 'replay', files: cmd.files, target: cmd.target.href, lines: outcome.progress.lines, routes: outcome.reports.length };
  if (cmd.json) {
    const out = {
      generatedAt,
      sources: [source],
      routes: outcome.reports.map((report) => ({ route: report.route, report, summary: summarize(report) })),
      skippedLines: { count: outcome.badLines, first: outcome.firstBadLines },
      gate,
    };
    io.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    const skipped = outcome.badLines === 0 ? '' : `\n${groupDigits(outcome.badLines)} line(s) skipped: not recorded exchanges (named on stderr)\n`;
    io.stdout.write(formatReport([source], outcome.reports, { colour: wantsColour(io), sides: SIDES, thresholds: { minCompared: 1, readyMatchRate: cmd.failUnder / 100 } }) + skipped + '\n' + gateLines(gate).join('\n') + '\n');
  }
  return gate.pass ? 0 : 1;
}
