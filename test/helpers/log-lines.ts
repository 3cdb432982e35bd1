// A spawned proxy's JSON log lines (stdout), and a wait for the first one matching: written
// already or later, bounded.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export type Line = Record<string, unknown>;

/** The child's JSON log lines, and a wait for the first one matching (written already or later). */
export function logLines(child: ChildProcess): { all: Line[]; wait(match: (l: Line) => boolean, ms?: number): Promise<Line> } {
  const all: Line[] = [];
  const waiting = new Set<{ match: (l: Line) => boolean; resolve: (l: Line) => void }>();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let l: Line;
    try {
      l = JSON.parse(text) as Line;
    } catch {
      return;
    }
    all.push(l);
    for (const w of [...waiting]) if (w.match(l)) (waiting.delete(w), w.resolve(l));
  });
  return {
    all,
    wait: (match, ms = 10_000) => {
      const seen = all.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise<Line>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no such log line in time')), ms);
        waiting.add({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
  };
}

