// One child process of the demo: its stdout and stderr printed line by line behind its
// prefix, a promise for the moment it reports it is listening, and one for its exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Output } from './output.js';

export interface ChildSpec<R> {
  name: string;
  /** A .js/.mjs/.cjs file is run with this node; anything else is executed directly. */
  entry: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  /** Recognises the line that says the child is listening, and what it tells (ports). */
  readyLine: (line: string) => R | undefined;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export class Child<R> {
  readonly name: string;
  readonly exited: Promise<ExitInfo>;
  readonly #process: ChildProcess;
  readonly #ready: Promise<R>;
  #exit: ExitInfo | undefined;

  constructor(spec: ChildSpec<R>, output: Output) {
    this.name = spec.name;
    if (!existsSync(spec.entry)) throw new Error(`${spec.name}: ${spec.entry} does not exist (run npm run build first)`);
    const runsWithNode = /\.[cm]?js$/.test(spec.entry);
    const [command, args] = runsWithNode ? [process.execPath, [spec.entry, ...(spec.args ?? [])]] : [spec.entry, spec.args ?? []];
    // Detached: in its own process group, so a Ctrl-C in the terminal reaches only the demo,
    // which then stops the children itself, once each, in order.
    this.#process = spawn(command, args, { env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });

    this.exited = new Promise((resolve) => {
      this.#process.once('error', (error) => resolve((this.#exit = { code: null, signal: null, error })));
      this.#process.once('close', (code, signal) => resolve((this.#exit ??= { code, signal })));
    });
    this.#ready = new Promise<R>((resolve, reject) => {
      const onLine = (line: string): void => {
        const ready = spec.readyLine(line);
        if (ready !== undefined) resolve(ready);
      };
      createInterface({ input: this.#process.stdout!, crlfDelay: Infinity }).on('line', (line) => {
        output.line(this.name, line);
        onLine(line);
      });
      createInterface({ input: this.#process.stderr!, crlfDelay: Infinity }).on('line', (line) => {
        output.line(this.name, line, process.stderr);
        onLine(line);
      });
      void this.exited.then((exit) => reject(new Error(`${this.name} ${describeExit(exit)} before it was listening`)));
    });
    this.#ready.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** What the ready line told; rejects when the child exits first or after `timeoutMs`. */
  async waitReady(timeoutMs: number): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} did not report listening within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.#ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.#process.kill(signal);
  }
}

export function describeExit(exit: ExitInfo): string {
  if (exit.error) return `failed to run (${exit.error.message})`;
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}
