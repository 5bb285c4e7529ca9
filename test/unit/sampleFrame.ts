// Test data shared by the unit tests of the detectors' outputs and of what the dashboard computes from them.
import { frameOf } from '../../src/core/csv/frame.ts';
import type { Frame } from '../../src/core/csv/frame.ts';
import { createRng } from '../../src/core/random.ts';

/** Three days at 5 minutes: daily cycles, noise, a few spikes, one missing value. */
export function sampleFrame(): Frame {
  const rng = createRng(7);
  const n = 3 * 288;
  const t: number[] = [];
  const cpu: number[] = [];
  const mem: number[] = [];
  const net: number[] = [];
  for (let i = 0; i < n; i++) {
    t.push(Date.UTC(2026, 0, 1) + i * 300_000);
    const day = Math.sin((2 * Math.PI * i) / 288);
    cpu.push(40 + 15 * day + rng.normal() * 3 + (i % 197 === 0 ? 40 : 0));
    mem.push(60 + i * 0.005 + rng.normal());
    net.push(i === 500 ? NaN : 100 + 30 * day + rng.normal() * 5 + (i === 610 ? -90 : 0));
  }
  return frameOf({ cpu, mem, net }, t);
}
