// Vector clocks for happens-before (race detection as the LKMM defines a data
// race: two accesses, at least one plain and one a write, not ordered by
// happens-before). Clocks are dense arrays indexed by thread id.

export class VClock {
  c: number[];
  constructor(c: number[] = []) {
    this.c = c;
  }
  get(i: number): number {
    return this.c[i] ?? 0;
  }
  tick(i: number): void {
    this.c[i] = (this.c[i] ?? 0) + 1;
  }
  join(o: VClock | null): void {
    if (!o) return;
    const a = this.c;
    const b = o.c;
    for (let i = 0; i < b.length; i++) {
      const v = b[i]!;
      if ((a[i] ?? 0) < v) a[i] = v;
    }
  }
  copy(): VClock {
    return new VClock(this.c.slice());
  }
  /** true when the epoch (tid, clock) happens before this clock */
  covers(tid: number, clock: number): boolean {
    return clock <= (this.c[tid] ?? 0);
  }
}
