// The classic benchmark programs of dynamic partial-order reduction, as
// scenarios (one thread per CPU, detectors off: only the interleavings
// count). From Flanagan and Godefroid, "Dynamic partial-order reduction for
// model checking software" (POPL 2005: indexer, file system) and Abdulla et
// al., "Optimal dynamic partial order reduction" (POPL 2014: lastzero,
// readers). This module has no top-level effects: worker threads import it.
import {
  ATOMIC_INIT, Cell, DEFINE_SPINLOCK, READ_ONCE, WRITE_ONCE, atomic_cmpxchg, defineScenario, spin_lock, spin_unlock, type KGen, type Scenario,
} from '@k/core-sync';

const quiet = { races: false, lockdep: false, lifetime: false, leaks: false, atomicSleep: false, warnings: false } as const;

function program(name: string, threads: number, setup: Scenario<'run'>['setup']): Scenario<'run'> {
  return defineScenario({
    name,
    description: name,
    variants: { run: { expect: 'holds' } },
    defaults: { cpus: Math.min(64, threads), detectors: quiet, maxSteps: 100_000 },
    setup,
  });
}

/** lastzero(N): a reader looks for the last zero of an array that N writers fill, each from its left neighbour. */
export function lastzero(n: number): Scenario<'run'> {
  return program(`lastzero-${n}`, n + 1, (k) => {
    const a = Array.from({ length: n + 1 }, (_, i) => new Cell(0, `array[${i}]`));
    k.spawn('reader', function* (): KGen {
      for (let i = n; i > 0; i--) if ((yield* READ_ONCE(a[i]!)) === 0) break;
    });
    for (let j = 1; j <= n; j++) {
      k.spawn(`writer${j}`, function* (): KGen {
        yield* WRITE_ONCE(a[j]!, (yield* READ_ONCE(a[j - 1]!)) + 1);
      });
    }
  });
}

/** indexer(N): N threads insert 4 messages each into a 128-entry hash table with compare-and-swap. */
export function indexer(n: number): Scenario<'run'> {
  return program(`indexer-${n}`, n, (k) => {
    const table = Array.from({ length: 128 }, (_, i) => ATOMIC_INIT(0, `table[${i}]`));
    for (let tid = 0; tid < n; tid++) {
      k.spawn(`t${tid}`, function* (): KGen {
        for (let m = 1; m <= 4; m++) {
          const w = m * 11 + tid;
          let h = (w * 7) % 128;
          while ((yield* atomic_cmpxchg(table[h]!, 0, w)) !== 0) h = (h + 1) % 128;
        }
      });
    }
  });
}

/** readers(N): one writer and N readers of one variable. */
export function readers(n: number): Scenario<'run'> {
  return program(`readers-${n}`, n + 1, (k) => {
    const x = new Cell(0, 'x');
    k.spawn('writer', function* () {
      yield* WRITE_ONCE(x, 42);
    });
    for (let i = 0; i < n; i++) {
      k.spawn(`reader${i}`, function* () {
        yield* READ_ONCE(x);
      });
    }
  });
}

/** file-system(N): N threads allocate a block for their inode, under per-inode and per-block locks. */
export function fileSystem(n: number): Scenario<'run'> {
  const NUMBLOCKS = 26;
  const NUMINODE = 32;
  return program(`file-system-${n}`, n, (k) => {
    const locki = Array.from({ length: NUMINODE }, (_, i) => DEFINE_SPINLOCK(`locki[${i}]`));
    const inode = Array.from({ length: NUMINODE }, (_, i) => new Cell(0, `inode[${i}]`));
    const lockb = Array.from({ length: NUMBLOCKS }, (_, i) => DEFINE_SPINLOCK(`lockb[${i}]`));
    const busy = Array.from({ length: NUMBLOCKS }, (_, i) => new Cell(0, `busy[${i}]`));
    for (let tid = 0; tid < n; tid++) {
      k.spawn(`t${tid}`, function* (): KGen {
        const i = tid % NUMINODE;
        yield* spin_lock(locki[i]!);
        if ((yield* READ_ONCE(inode[i]!)) === 0) {
          let b = (i * 2) % NUMBLOCKS;
          for (;;) {
            yield* spin_lock(lockb[b]!);
            if ((yield* READ_ONCE(busy[b]!)) === 0) {
              yield* WRITE_ONCE(busy[b]!, 1);
              yield* WRITE_ONCE(inode[i]!, b + 1);
              yield* spin_unlock(lockb[b]!);
              break;
            }
            yield* spin_unlock(lockb[b]!);
            b = (b + 1) % NUMBLOCKS;
          }
        }
        yield* spin_unlock(locki[i]!);
      });
    }
  });
}

/** Dining philosophers (N): each takes the left fork, then the right one (they may deadlock), and eats. */
export function philosophers(n: number): Scenario<'run'> {
  return program(`philosophers-${n}`, n, (k) => {
    const fork = Array.from({ length: n }, (_, i) => DEFINE_SPINLOCK(`fork[${i}]`));
    const meals = new Cell(0, 'meals');
    for (let i = 0; i < n; i++) {
      k.spawn(`philosopher${i}`, function* (): KGen {
        yield* spin_lock(fork[i]!);
        yield* spin_lock(fork[(i + 1) % n]!);
        yield* WRITE_ONCE(meals, (yield* READ_ONCE(meals)) + 1);
        yield* spin_unlock(fork[(i + 1) % n]!);
        yield* spin_unlock(fork[i]!);
      });
    }
  });
}

/** A benchmark program: its scenario, the budget of its brute-force trace count (0: too many interleavings), and its known trace count. */
export interface BenchProgram {
  readonly scenario: Scenario<'run'>;
  readonly bruteForce: number;
  readonly known?: number;
}

/** The programs and sizes the benchmark runs (the scenario names of this module). */
export const programs: readonly BenchProgram[] = [
  { scenario: lastzero(3), bruteForce: 200_000 },
  { scenario: lastzero(5), bruteForce: 0 },
  { scenario: lastzero(8), bruteForce: 0 },
  { scenario: indexer(2), bruteForce: 10_000 },
  { scenario: indexer(12), bruteForce: 0 },
  { scenario: indexer(13), bruteForce: 0 },
  { scenario: readers(3), bruteForce: 10_000, known: 2 ** 3 },
  { scenario: readers(8), bruteForce: 0, known: 2 ** 8 },
  { scenario: fileSystem(2), bruteForce: 20_000 },
  { scenario: fileSystem(14), bruteForce: 0 },
  { scenario: fileSystem(16), bruteForce: 0 },
  { scenario: philosophers(3), bruteForce: 50_000 },
  { scenario: philosophers(4), bruteForce: 0 },
  { scenario: philosophers(5), bruteForce: 0 },
];

/** The programs the scaling benchmark runs on worker threads (which import this module and find them by name). */
export const scaling = { random: philosophers(5), dpor: philosophers(5) } as const;

/** Every scenario of this module, for workers. */
export const scenarios: readonly Scenario<'run'>[] = [...programs.map((p) => p.scenario), scaling.random, scaling.dpor];
