// The bench's CPU section judges a feature's few added microseconds only when its A/A control (the
// same config measured twice) reads within +-3 us of the plain row: beyond that, such a bar is
// printed with its figures, not judged, and the A/A bar fails whichever way it is off.
import { describe, expect, it } from 'vitest';
import { cpuBarChecks, type CpuSection } from '../scripts/bench/rate.js';

const row = (key: string, usPerReq: number) => ({ key, target: key, samples: [{ usPerReq, cpuPct: 30, achievedRps: 3000, errors: 0 }] });
const section = (aa: number): CpuSection => ({
  opts: { rate: 3000, durationS: 8, warmupS: 1, rounds: 1, connections: 64 },
  rows: [row('bare', 70), row('strangler', 100), row('strangler-trace-001', 102), row('strangler-trace-1', 150), row('strangler-aa', aa)],
});
const line = (c: CpuSection, start: string) => cpuBarChecks(c).find((b) => b.line.startsWith(start))!;

describe('the CPU section with its A/A control', () => {
  it('judges the added-microsecond bars when the control agrees', () => {
    const c = section(101);
    expect(line(c, 'strangler-trace-001 <=')).toMatchObject({ pass: true });
    expect(line(c, 'strangler-trace-1 <=')).toMatchObject({ pass: false });
    expect(line(c, 'strangler-aa <=')).toMatchObject({ pass: true });
  });

  it('leaves them unjudged, figures shown, when the control is off by more than 3 us either way', () => {
    for (const aa of [124, 90]) {
      const c = section(aa);
      const t = line(c, 'strangler-trace-1 <=');
      expect(t.pass).toBeUndefined();
      expect(t.line).toContain(`not judged: the A/A control read ${aa > 100 ? '+' : ''}${(aa - 100).toFixed(1)} us`);
      expect(t.line).toContain('+50.0 us per request');
      expect(line(c, 'strangler-aa <=')).toMatchObject({ pass: false });
      expect(line(c, 'strangler <=').pass).toBe(false); // the ratio bars are judged all the same (1.43x)
    }
  });
});
