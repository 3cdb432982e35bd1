// The bench's CPU meter reads a process group's CPU per thread: all of it, and its main threads
// (the event loop) alone, so a paired row can say whether a feature costs the request path or
// the threads beside it (GC, compiler, tracing's export worker). A child process burns a known
// amount of CPU on its main thread and more on a worker thread, and the meter must tell them apart.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { groupCpuSeconds } from '../lib/cpu.js';
import { threadSplit } from '../bench/paired.js';

const MAIN_S = 0.3;
const WORKER_S = 0.8; // more than the main thread's burn and its start-up together

/** Burns `s` seconds of the calling thread's own CPU (its schedstat), then returns. */
const BURN = `const cpu = () => Number(require('node:fs').readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9;
const burn = (s) => { const end = cpu() + s; while (cpu() < end) for (let i = 0; i < 1e5; i++); };`;

const CHILD = `${BURN}
burn(${MAIN_S});
const { Worker } = require('node:worker_threads');
const w = new Worker(\`${BURN}
burn(${WORKER_S});
require('node:worker_threads').parentPort.postMessage('burnt');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // alive and asleep, until killed\`, { eval: true });
w.on('message', () => process.stdout.write('ready\\n'));`;

let pgid: number | undefined;
afterEach(() => {
  if (pgid !== undefined) process.kill(-pgid, 'SIGKILL');
  pgid = undefined;
});

it('counts the main thread apart from a worker thread, in a process group of its own', async () => {
  const child = spawn(process.execPath, ['-e', CHILD], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  pgid = child.pid!;
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(line.toString()).toBe('ready\n');

  const cpu = groupCpuSeconds(pgid);
  expect(cpu).toBeDefined();
  const { all, main } = cpu!;
  expect(main).toBeDefined();
  expect(main!).toBeGreaterThanOrEqual(MAIN_S);
  expect(main!).toBeLessThan(WORKER_S); // not the worker's time, nor everything
  expect(all - main!).toBeGreaterThanOrEqual(WORKER_S);
});

it('finds no process group that does not exist', () => {
  expect(groupCpuSeconds(2 ** 22 + 1)).toBeUndefined(); // above Linux's largest pid
  expect(groupCpuSeconds(undefined)).toBeUndefined();
});

it("splits a paired row's difference into the main threads' share and the rest, each by the row's own estimate", () => {
  // Halves of two windows: main 0.5, 0.5 | 1.5, 1.5 -> 1.0; rest 0.5, 1.5 | 1.5, 2.5 -> (1.0 + 2.0) / 2
  expect(threadSplit({ diffUs: [1, 2, 3, 4], mainDiffUs: [0.5, 0.5, 1.5, 1.5] })).toBe('+1.0 us / +1.5 us');
  expect(threadSplit({ diffUs: [-1, -1], mainDiffUs: [-2, -2] })).toBe('-2.0 us / +1.0 us');
  expect(threadSplit({ diffUs: [1, 2], mainDiffUs: [] })).toBe('-'); // main threads not measured
});
