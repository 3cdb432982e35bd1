// Owns the demo's children: starts them, notices one dying, and stops them all: SIGTERM,
// a bounded wait, then SIGKILL for whatever is left. The demo exits only through stop().
import { relative } from 'node:path';
import { Child, describeExit, stopAll, waitForConnect, type ChildOptions } from '../procs.js';
import type { Output } from './output.js';

export class Supervisor {
  readonly #children: Child[] = [];
  #stopping = false;

  constructor(
    private readonly output: Output,
    private readonly timeouts: { startMs: number; stopMs: number },
  ) {}

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Each child started, by name, with its pid. */
  get pids(): { name: string; pid: number | undefined }[] {
    return this.#children.map((c) => ({ name: c.name, pid: c.pid }));
  }

  /**
   * Starts a child, its lines printed behind its prefix, and waits until it reports listening and
   * every port it names accepts connections; from then on, its exit stops the whole stack with exit code 1.
   */
  async bringUp<R>(name: string, entry: string, o: ChildOptions<R>, portsOf: (ready: R) => number[]): Promise<R> {
    if (this.#stopping) throw new Error(`not starting ${name}: the demo is stopping`);
    const child = new Child(name, entry, { ...o, onLine: (line, stderr) => this.output.line(name, line, stderr ? process.stderr : process.stdout) });
    this.#children.push(child);
    this.output.say(`started ${name} (pid ${child.pid}): ${relative(process.cwd(), entry)}`);
    const ready = await child.waitReady(this.timeouts.startMs);
    for (const port of portsOf(ready)) await waitForConnect(name, '127.0.0.1', port, this.timeouts.startMs);
    void child.exited.then((exit) => this.fail(`${name} ${describeExit(exit)} unexpectedly`));
    return ready;
  }

  /** Reports `message` and stops everything with exit code 1, unless already stopping. */
  fail(message: string): void {
    if (this.#stopping) return;
    this.output.say(`${message}; stopping the others`);
    void this.stop(1);
  }

  async stop(exitCode: number): Promise<never> {
    this.#stopping = true;
    const ms = this.timeouts.stopMs;
    await stopAll(this.#children, ms, (c) => this.output.say(`${c.name} still running ${ms} ms after SIGTERM: sending SIGKILL`));
    process.exit(exitCode);
  }
}
