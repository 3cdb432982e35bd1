// Turns: the comparisons in progress share the event loop, one step per turn whoever's it is,
// first come first served; each run ends in exactly one `done`. Driven by a hand-cranked
// scheduler, so every turn is counted, never timed.

import { describe, expect, it } from 'vitest';
import { Turns, type StepsOutcome } from '../src/shadow/turns.js';

/** A scheduler the test cranks: each crank is one turn of the event loop. */
function cranked() {
  const pending: (() => void)[] = [];
  return {
    turns: new Turns((run) => void pending.push(run)),
    pending,
    crank(): boolean {
      const run = pending.shift();
      run?.();
      return run !== undefined;
    },
  };
}

/** Steps that log `name:i` for each step and end with `name`. */
function* steps(log: string[], name: string, count: number): Generator<void, string> {
  for (let i = 0; i < count; i++) {
    log.push(`${name}:${i}`);
    if (i < count - 1) yield;
  }
  return name;
}

describe('Turns', () => {
  it('runs the first step at once, then one step per turn, taking turns first come first served', () => {
    const { turns, pending, crank } = cranked();
    const log: string[] = [];
    const done: StepsOutcome<string>[] = [];
    turns.run(steps(log, 'a', 4), (o) => done.push(o));
    turns.run(steps(log, 'b', 3), (o) => done.push(o));
    expect(log).toEqual(['a:0', 'b:0']);
    expect(pending).toHaveLength(1); // one turn asked for at a time, however many are waiting
    expect(turns.inProgress).toBe(2);

    const perTurn: string[][] = [];
    while (pending.length > 0) {
      const before = log.length;
      crank();
      perTurn.push(log.slice(before));
    }
    expect(perTurn).toEqual([['a:1'], ['b:1'], ['a:2'], ['b:2'], ['a:3']]);
    expect(done).toEqual([{ ok: true, value: 'b' }, { ok: true, value: 'a' }]);
    expect(turns.inProgress).toBe(0);
    expect(turns.turnsTaken).toBe(5);
  });

  it('ends steps that never yield before run returns, without asking for a turn', () => {
    const { turns, pending } = cranked();
    const done: StepsOutcome<string>[] = [];
    turns.run(steps([], 'json', 1), (o) => done.push(o));
    expect(done).toEqual([{ ok: true, value: 'json' }]);
    expect(pending).toHaveLength(0);
    expect(turns.inProgress).toBe(0);
  });

  it('ends a run whose step throws once, with the error, and goes on with the others', () => {
    const { turns, crank } = cranked();
    const boom = new Error('boom');
    function* failing(): Generator<void, string> {
      yield;
      throw boom;
    }
    const done: StepsOutcome<string>[] = [];
    const log: string[] = [];
    turns.run(failing(), (o) => done.push(o));
    turns.run(steps(log, 'b', 3), (o) => done.push(o));
    while (crank());
    expect(done).toEqual([{ ok: false, error: boom }, { ok: true, value: 'b' }]);
    expect(log).toEqual(['b:0', 'b:1', 'b:2']);
    expect(turns.inProgress).toBe(0);
  });

  it('is idle at once with nothing in progress, else once the last run in progress ended', async () => {
    const { turns, crank } = cranked();
    await turns.idle();
    const order: string[] = [];
    turns.run(steps([], 'a', 3), () => order.push('a done'));
    const idle = turns.idle().then(() => order.push('idle'));
    crank();
    await Promise.resolve();
    expect(order).toEqual([]);
    crank();
    await idle;
    expect(order).toEqual(['a done', 'idle']);
  });

  it('by default takes the turns of the event loop: other callbacks run between two steps', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const ended = new Promise<void>((resolve) => turns.run(steps(log, 'a', 3), () => resolve()));
    setImmediate(() => log.push('other'));
    await ended;
    expect(log).toEqual(['a:0', 'a:1', 'other', 'a:2']);
  });

  it('tells onError what a done callback throws on a later turn, and goes on with the other runs', () => {
    const pending: (() => void)[] = [];
    const errors: unknown[] = [];
    const turns = new Turns((run) => void pending.push(run), (err) => errors.push(err));
    const log: string[] = [];
    turns.run(steps(log, 'a', 2), () => {
      throw new Error('recording failed');
    });
    let bDone = false;
    turns.run(steps(log, 'b', 2), () => (bDone = true));
    while (pending.length > 0) pending.shift()!();
    expect(errors).toEqual([new Error('recording failed')]);
    expect(bDone).toBe(true);
    expect(turns.inProgress).toBe(0);
  });
});
