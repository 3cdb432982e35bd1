// Owns the demo's children: starts them, notices one dying, and stops them all: SIGTERM,
// a bounded wait, then SIGKILL for whatever is left. The demo exits only through stop().
import { relative } from 'node:path';
import { Child, describeExit, type ChildSpec } from './child.js';
import type { Output } from './output.js';
import { waitForConnect } from './readiness.js';

export class Supervisor {
  readonly #children: Child<unknown>[] = [];
  #stopping = false;

  constructor(
    private readonly output: Output,
    private readonly timeouts: { startMs: number; stopMs: number },
  ) {
    // Should the demo itself crash, no child outlives it holding its port.
    process.once('exit', () => this.#children.forEach((c) => c.signal('SIGKILL')));
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /**
   * Starts a child and waits until it reports listening and every port it names accepts
   * connections; from then on, its exit stops the whole stack with exit code 1.
   */
  async bringUp<R>(spec: ChildSpec<R>, portsOf: (ready: R) => number[]): Promise<R> {
    if (this.#stopping) throw new Error(`not starting ${spec.name}: the demo is stopping`);
    const child = new Child(spec, this.output);
    this.#children.push(child);
    this.output.say(`started ${spec.name} (pid ${child.pid}): ${relative(process.cwd(), spec.entry)}`);
    const ready = await child.waitReady(this.timeouts.startMs);
    for (const port of portsOf(ready)) await waitForConnect(spec.name, '127.0.0.1', port, this.timeouts.startMs);
    void child.exited.then((exit) => this.fail(`${child.name} ${describeExit(exit)} unexpectedly`));
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
    const running = this.#children.filter((c) => c.running);
    for (const child of running) child.signal('SIGTERM');
    const allExited = Promise.all(running.map((c) => c.exited));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      allExited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.timeouts.stopMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) this.killAll(`still running ${this.timeouts.stopMs} ms after SIGTERM`);
    await allExited;
    process.exit(exitCode);
  }

  /** SIGKILL for every child still running. */
  private killAll(reason: string): void {
    for (const child of this.#children.filter((c) => c.running)) {
      this.output.say(`${child.name} ${reason}: sending SIGKILL`);
      child.signal('SIGKILL');
    }
  }
}
