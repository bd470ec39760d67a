// Lock validation in the manner of kernel/locking/lockdep.c: lock classes,
// the dependency graph learned across every execution of an exploration (a
// cycle is a possible deadlock even if no execution deadlocked), recursive
// locking, and the IRQ/softirq-safety usage rules.

import { CUR, RT, type LockLike, type Thread } from '../internal/rt/kernel';
import { Violation } from '../internal/rt/violation';

interface Edge {
  readonly exec: number;
  readonly thread: string;
  readonly fromHow: string;
  readonly toHow: string;
}

interface Site {
  readonly site: string;
  readonly exec: number;
}

interface Usage {
  inHardirq?: Site;
  inSoftirq?: Site;
  hardirqOn?: Site;
  softirqOn?: Site;
}

/** Lockdep's learned state; one per exploration. */
export class LockdepState {
  readonly edges = new Map<string, Map<string, Edge>>();
  readonly usage = new Map<string, Usage>();
  /** grows whenever lockdep learns something (an edge or a usage) */
  learned = 0;

  private path(from: string, to: string): string[] | null {
    // breadth-first search from `from` to `to` over learned dependencies
    const prev = new Map<string, string>();
    const queue = [from];
    const seen = new Set([from]);
    while (queue.length > 0) {
      const x = queue.shift()!;
      if (x === to) {
        const out = [to];
        let y = to;
        while (y !== from) {
          y = prev.get(y)!;
          out.unshift(y);
        }
        return out;
      }
      for (const n of this.edges.get(x)?.keys() ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          prev.set(n, x);
          queue.push(n);
        }
      }
    }
    return null;
  }

  addEdge(from: LockLike, fromHow: string, to: LockLike, toHow: string, th: Thread): void {
    let m = this.edges.get(from.cls);
    if (!m) {
      m = new Map();
      this.edges.set(from.cls, m);
    }
    if (m.has(to.cls)) return;
    const back = this.path(to.cls, from.cls);
    if (back) {
      const lines = [`new dependency: ${th.name} takes ${to.cls} (${toHow}) while holding ${from.cls} (${fromHow})`];
      const related: number[] = [];
      for (let i = 0; i + 1 < back.length; i++) {
        const e = this.edges.get(back[i]!)!.get(back[i + 1]!)!;
        lines.push(`existing dependency: ${e.thread} took ${back[i + 1]} (${e.toHow}) while holding ${back[i]} (${e.fromHow})${e.exec !== RT.index ? ` (learned in an earlier execution)` : ''}`);
        if (e.exec !== RT.index && !related.includes(e.exec)) related.push(e.exec);
      }
      const chain = [from.cls, ...back].join(' -> ');
      throw new Violation('lock-order', `WARNING: possible circular locking dependency detected: ${chain}`, [
        ...lines,
        'each CPU of the cycle can hold its first lock and wait for the next: a deadlock (ABBA) no execution needed to show',
      ], related.sort((a, b) => a - b));
    }
    m.set(to.cls, { exec: RT.index, thread: th.name, fromHow, toHow });
    this.learned++;
  }

  usageOf(cls: string): Usage {
    let u = this.usage.get(cls);
    if (!u) {
      u = {};
      this.usage.set(cls, u);
    }
    return u;
  }
}

export function lockdepState(): LockdepState {
  const p = RT.persistent;
  if (!(p.lockdep instanceof LockdepState)) p.lockdep = new LockdepState();
  return p.lockdep as LockdepState;
}

/**
 * Validates an acquisition of `lock` by the current context (lock_acquire):
 * recursion, new dependencies from every held lock, and IRQ-safety usage.
 */
export function lockdep_acquire(lock: LockLike, how: string, trylock: boolean, subclass = 0): void {
  if (!RT.det.lockdep) return;
  const th = CUR;
  const ld = lockdepState();
  for (const h of th.held) {
    if (h.lock === lock) {
      throw new Violation('lock-misuse', `WARNING: possible recursive locking detected: ${th.name} takes ${lock.name} (${how}) and already holds it (${h.how})`, [
        lock.sleeping ? 'a mutex is not recursive: the task waits for itself forever' : 'a spinlock is not recursive: the CPU spins forever (AA deadlock)',
      ]);
    }
  }
  if (!trylock) {
    const cls = subclass ? `${lock.cls}/${subclass}` : lock.cls;
    const target: LockLike = subclass ? { name: lock.name, cls, sleeping: lock.sleeping } : lock;
    for (const h of th.held) {
      if (h.lock.cls === cls) {
        throw new Violation('lock-misuse', `WARNING: possible recursive locking detected: ${th.name} takes ${lock.name} of class ${cls} while holding ${h.lock.name} of the same class (use a _nested() variant if the nesting is ordered)`);
      }
      ld.addEdge(h.lock, h.how, target, how, th);
    }
  }
  if (lock.sleeping) return;
  const u = ld.usageOf(lock.cls);
  const site = (): Site => {
    ld.learned++;
    return { site: `${th.name} (${how})`, exec: RT.index };
  };
  if (th.kind === 'hardirq') {
    u.inHardirq ??= site();
    if (u.hardirqOn) inconsistent(lock, 'HARDIRQ', u.inHardirq, u.hardirqOn);
  } else if (th.irqsOff === 0) {
    u.hardirqOn ??= site();
    if (u.inHardirq) inconsistent(lock, 'HARDIRQ', u.inHardirq, u.hardirqOn);
  }
  if (th.kind === 'softirq') {
    u.inSoftirq ??= site();
    if (u.softirqOn) inconsistent(lock, 'SOFTIRQ', u.inSoftirq, u.softirqOn);
  } else if (th.kind !== 'hardirq' && th.irqsOff === 0 && th.bhOff === 0) {
    u.softirqOn ??= site();
    if (u.inSoftirq) inconsistent(lock, 'SOFTIRQ', u.inSoftirq, u.softirqOn);
  }
}

function inconsistent(lock: LockLike, ctx: 'HARDIRQ' | 'SOFTIRQ', inSite: Site, onSite: Site): never {
  const inCtx = inSite.site;
  const on = onSite.site;
  const related = [inSite.exec, onSite.exec].filter((e, i, a) => e !== RT.index && a.indexOf(e) === i).sort((a, b) => a - b);
  const what = ctx === 'HARDIRQ' ? 'a hardirq' : 'a softirq';
  throw new Violation('irq-safety', `WARNING: inconsistent lock state: {IN-${ctx}-W} -> {${ctx}-ON-W} usage of ${lock.cls}`, [
    `taken in ${ctx.toLowerCase()} context by ${inCtx}`,
    `taken with ${ctx === 'HARDIRQ' ? 'interrupts' : 'softirqs'} enabled by ${on}`,
    `${what} arriving on the CPU of the second while it holds the lock spins on it forever: take it with ${ctx === 'HARDIRQ' ? 'spin_lock_irqsave' : 'spin_lock_bh'} there`,
  ], related);
}

/** Errors for lockdep_assert_held(). */
export function lockdep_check_held(lock: LockLike & { owner: Thread | null }, what: string): void {
  if (!RT.det.lockdep) return;
  if (lock.owner !== CUR) {
    throw new Violation('lockdep-assert', `WARNING: ${what}: ${lock.name} is not held by ${CUR.name}${lock.owner ? ` (held by ${lock.owner.name})` : ''}`);
  }
}
