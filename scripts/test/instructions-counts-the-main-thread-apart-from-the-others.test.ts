// `npm run instructions` reads callgrind's dump, one file per thread: thread 1 is the main thread
// (the event loop), the rest are V8's GC and compiler threads and worker threads. What callgrind
// writes is taken as it comes: a file with its own totals line, or only a summary line.
import { expect, it } from 'vitest';
import { callgrindTotal, dumpTotals } from '../instructions.js';

const file = (thread: number, total: number, head = 'totals') =>
  `# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 4242\ncmd:  /usr/bin/node main.js\npart: 1\n\ndesc: I1 cache: \nthread: ${thread}\n\npositions: line\nevents: Ir\nsummary: ${total}\n\nfl=(1) ???\nfn=(1) 0x0000000004a1b2c3\n0 ${total}\n\n${head}: ${total}\n`;

it('reads one thread file: its thread number and its total', () => {
  expect(callgrindTotal(file(3, 123_456))).toEqual({ thread: 3, total: 123_456 });
  expect(callgrindTotal(file(1, 42).replace(/^totals: .*$/m, ''))).toEqual({ thread: 1, total: 42 }); // summary only
  expect(callgrindTotal('not callgrind')).toBeNull();
});

it('adds up a dump: the main thread alone, and every thread', () => {
  const dump = [file(1, 500_000), file(3, 70_000), file(12, 30_000), 'garbage'];
  expect(dumpTotals(dump)).toEqual({ main: 500_000, all: 600_000 });
  expect(dumpTotals([file(2, 10)])).toEqual({ main: 0, all: 10 });
});
