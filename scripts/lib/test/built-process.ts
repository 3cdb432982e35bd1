// Test harness for the built scripts (dist/): spawn one with node, watch its output line by
// line, await a line or its exit. Tests that use it need `npm run build` first (npm test does).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface BuiltProcess {
  child: ChildProcess;
  /** Every line so far, stdout and stderr interleaved as they arrived. */
  lines: string[];
  /** Resolves with the first line (seen already or coming) that matches; rejects on exit first. */
  line(pattern: RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The absolute path of a built file, e.g. builtFile('scripts/demo.js'). */
export function builtFile(relative: string): string {
  const file = fileURLToPath(new URL(`../../../dist/${relative}`, import.meta.url));
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build before these tests`);
  return file;
}

export function runBuilt(relative: string, opts: { args?: string[]; env?: NodeJS.ProcessEnv; cwd?: string } = {}): BuiltProcess {
  const child = spawn(process.execPath, [builtFile(relative), ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (text) => {
      lines.push(text);
      listeners.forEach((wake) => wake());
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = lines.find((l) => pattern.test(l));
        if (found === undefined) return;
        listeners.delete(check);
        resolve(found);
      };
      listeners.add(check);
      check();
      void exited.then(() => {
        check();
        listeners.delete(check);
        reject(new Error(`exited before printing a line matching ${pattern}; output:\n${lines.join('\n')}`));
      });
    });
  return { child, lines, line, exited };
}
