// The "pinning" line of the fault and canary drills' summaries.
import type { Pinning } from '../bench/cpu.js';

/** `drill` names what shares the load's CPU with the monolith and the users service. */
export function describePinning(p: Pinning, drill: string): string {
  if (p.proxyCpu === undefined) return p.description.replace('(--no-pin)', '(default; --pin to pin)');
  return `proxy on cpu ${p.proxyCpu}; ${drill}, the monolith and the users service on cpu ${p.loadCpu} (taskset)`;
}
