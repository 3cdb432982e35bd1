// What a bench target is. Adding a row = adding one Target to the list in targets.ts.
import type { Pinning } from './cpu.js';

export interface BenchContext {
  readonly upstreamUrl: string;        // the shared upstream (on the load cpu)
  readonly pinning: Pinning;
  readonly tmpDir: string;             // removed when the bench ends
  readonly readyPath: string;          // a path that answers 200 through every proxy
}

export interface RunningTarget {
  readonly url: string;                // base URL; the scenario path is appended
  readonly pgid?: number;              // its process group, for the CPU column
  stop(): Promise<void>;
}

export interface Target {
  readonly key: string;                // for --targets
  readonly name: string;               // the row label
  /** Why this target cannot run here (e.g. "nginx not installed"), or null. Checked once. */
  unavailable?(): string | null;
  start(ctx: BenchContext): Promise<RunningTarget>;
}
