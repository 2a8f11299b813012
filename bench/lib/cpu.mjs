// CPU time per process from /proc, and the time the hypervisor stole, to show where a measured run's
// time goes (Linux only).
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** User + system ticks of every process now, with its command name. */
export function cpuSnapshot() {
  const snapshot = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name is in parentheses and may itself contain spaces or parentheses.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      snapshot.set(Number(entry), { comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while we looked
    }
  }
  return { at: performance.now(), snapshot, stolen: stolenTicks() };
}

/**
 * Ticks the hypervisor gave to other guests while this machine's CPUs wanted to run (all CPUs): on a
 * virtual machine, time in which every process here stalls, the baselines' as much as the platform's.
 */
function stolenTicks() {
  try {
    const total = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
    return Number(total[8] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Percent of one core each group of processes used between two snapshots, busiest first. `labelOf`
 * names a process by pid (or returns undefined to group it by command name); idle groups are left out.
 */
export function cpuShares(before, after, labelOf) {
  const seconds = (after.at - before.at) / 1000;
  const shares = new Map();
  for (const [pid, { comm, ticks }] of after.snapshot) {
    const used = ticks - (before.snapshot.get(pid)?.ticks ?? 0);
    if (used <= 0) continue;
    const label = labelOf(pid) ?? comm;
    shares.set(label, (shares.get(label) ?? 0) + (100 * used) / TICKS_PER_SECOND / seconds);
  }
  shares.set('stolen by the hypervisor', (100 * (after.stolen - before.stolen)) / TICKS_PER_SECOND / seconds);
  return [...shares].filter(([, share]) => share >= 1).sort((a, b) => b[1] - a[1]);
}
