// The Linux-kernel memory model, evaluated on one candidate execution.
// Source: the kernel's tools/memory-model/linux-kernel.bell, lock.cat and
// linux-kernel.cat (the 2024 "lkmmv2" versions that herd7 >= 7.58 reads), and
// tools/memory-model/Documentation/explanation.txt for their meaning. Each
// `let` of the cat files is a line here with the same name, so that a reader
// can follow both side by side. Relations are bit matrices (./bitrel).
import { type Universe, complement, diff, has, inter, isEmpty, union } from './bitrel';

/** The static shape of a candidate: its events and the relations fixed by the control-flow paths. */
export interface StaticGraph {
  readonly u: Universe;
  // event sets
  readonly IW: Uint32Array;
  /** herd's R and W before lock.cat: engine reads and memory writes (W includes IW). */
  readonly R0: Uint32Array;
  readonly W0: Uint32Array;
  /** all memory events, lock events included (herd's M as the bell sees it) */
  readonly M0: Uint32Array;
  readonly F: Uint32Array;
  readonly LKR: Uint32Array;
  readonly LKW: Uint32Array;
  readonly UL: Uint32Array;
  readonly LF: Uint32Array;
  readonly RL: Uint32Array;
  readonly RU: Uint32Array;
  readonly SyncSrcu: Uint32Array;
  readonly SrcuLock: Uint32Array;
  readonly SrcuUnlock: Uint32Array;
  /** annotation tags */
  readonly tag: ReadonlyMap<string, Uint32Array>;
  /** the FW set: final writes to the locations the condition observes are computed per execution; this is the set of observed locations' events */
  readonly observedLoc: Uint32Array;
  // relations
  readonly po: Uint32Array;
  readonly loc: Uint32Array;
  readonly int: Uint32Array;
  readonly ext: Uint32Array;
  readonly addr: Uint32Array;
  readonly data: Uint32Array;
  readonly ctrl: Uint32Array;
  readonly rmw: Uint32Array;
}

/** The choices of one candidate: reads-from and coherence order. */
export interface Choices {
  /** engine rf (R0 events) plus rf-lf and rf-ru (lock.cat's `with`) */
  readonly rf: Uint32Array;
  /** the coherence order generated over W | LKW (transitive, per location) */
  readonly co: Uint32Array;
  /** values written by writes and read by reads, for srcu-bad-value-match */
  readonly value: readonly (number | string | undefined)[];
}

export type Axiom =
  | 'coherence'
  | 'atomic'
  | 'happens-before'
  | 'propagation'
  | 'rcu'
  | 'plain-coherence'
  | 'lock-nest'
  | 'nested-is-locked'
  | 'unmatched-locks';

/** The relations of an evaluated execution, kept for explanations. */
export interface Evaluated {
  readonly allowed: boolean;
  /** the first axiom that fails, in the order of the cat files */
  readonly failed?: Axiom;
  readonly flags: readonly string[];
  readonly rel: Readonly<Record<string, Uint32Array>>;
  readonly set: Readonly<Record<string, Uint32Array>>;
}

/** Static relations that depend on the paths only, computed once per path combination. */
export interface Prepared {
  readonly g: StaticGraph;
  readonly poLoc: Uint32Array;
  readonly lkRmw: Uint32Array;
  readonly rmw: Uint32Array;
  readonly critical: Uint32Array;
  readonly unmatchedLKW: Uint32Array;
  readonly rcuRscs: Uint32Array;
  readonly staticFailed?: Axiom;
  readonly staticFlags: readonly string[];
  readonly R: Uint32Array;
  readonly W: Uint32Array;
  readonly M: Uint32Array;
  readonly Marked: Uint32Array;
  readonly Plain: Uint32Array;
  readonly Acquire: Uint32Array;
  readonly Release: Uint32Array;
  readonly Mb: Uint32Array;
  readonly Noreturn: Uint32Array;
  readonly RMW: Uint32Array;
  readonly fencerel: (s: Uint32Array) => Uint32Array;
  readonly setOf: (name: string) => Uint32Array;
}

function emptySet(u: Universe): Uint32Array {
  return u.set();
}

/** bell: matching nested rcu_read_lock()/rcu_read_unlock() pairs, per process. */
function rcuMatch(g: StaticGraph, lock: Uint32Array, unlock: Uint32Array): Uint32Array {
  const { u } = g;
  const out = u.rel();
  // Events of a process are consecutive and in po order: a stack per process.
  const stack: number[] = [];
  let lastProcEnd = -1;
  for (let i = 0; i < u.n; i++) {
    if (has(g.IW, i)) continue;
    // a new process starts when i is not po-after the previous event
    if (lastProcEnd >= 0 && !has(g.po.subarray(lastProcEnd * u.w, lastProcEnd * u.w + u.w), i)) stack.length = 0;
    if (has(lock, i)) stack.push(i);
    else if (has(unlock, i)) {
      const l = stack.pop();
      if (l !== undefined) out[l * u.w + (i >>> 5)]! |= 1 << (i & 31);
    }
    lastProcEnd = i;
  }
  return out;
}

/** Everything of the bell and lock.cat that does not depend on rf or co. */
export function prepare(g: StaticGraph): Prepared {
  const { u } = g;
  const T = (name: string): Uint32Array => g.tag.get(name) ?? emptySet(u);
  const po = g.po;
  const poLoc = inter(po, g.loc);
  const fencerel = (s: Uint32Array): Uint32Array => u.seq(u.restrict(po, null, s), po);
  const flags: string[] = [];
  let staticFailed: Axiom | undefined;

  // ---- linux-kernel.bell ----
  const RMW = T('RMW');
  const rmw0 = g.rmw;
  // lock.cat: lk-rmw = ([LKR] ; po-loc ; [LKW]) \ (po ; po)
  const lkRmw = diff(u.restrict(poLoc, g.LKR, g.LKW), u.seq(po, po));
  // The bell filters tags with the instruction rmw only (it runs before lock.cat).
  const FailedRMW = diff(RMW, union(u.domain(rmw0), u.range(rmw0)));
  const Acquire0 = diff(diff(T('ACQUIRE'), g.W0), FailedRMW);
  const Release0 = diff(diff(T('RELEASE'), g.R0), FailedRMW);
  const Mb = diff(T('MB'), FailedRMW);
  const Noreturn = diff(T('NORETURN'), g.W0);
  const RcuLock = T('rcu-lock');
  const RcuUnlock = T('rcu-unlock');
  const rcuRscs = rcuMatch(g, RcuLock, RcuUnlock);
  if (!isEmpty(diff(RcuLock, u.domain(rcuRscs)))) flags.push('unmatched-rcu-lock');
  if (!isEmpty(diff(RcuUnlock, u.range(rcuRscs)))) flags.push('unmatched-rcu-unlock');
  if (!isEmpty(inter(rcuRscs, u.seq(u.restrict(po, null, g.SyncSrcu), po)))) flags.push('invalid-sleep');
  const Marked = union(
    complement(u, g.M0), g.IW, T('ONCE'), T('RELEASE'), T('ACQUIRE'), T('MB'), RMW,
    g.LKR, g.LKW, g.UL, g.LF, g.RL, g.RU, g.SrcuLock, g.SrcuUnlock,
  );
  const Plain = diff(g.M0, Marked);

  // ---- lock.cat (static part) ----
  const LF = union(g.LF, g.RL);
  const ALL_LOCKS = union(g.LKR, g.LKW, g.UL, LF, g.RU, g.SrcuLock, g.SrcuUnlock, g.SyncSrcu);
  const nonLock = diff(diff(g.M0, g.IW), ALL_LOCKS);
  if (!isEmpty(u.restrict(g.loc, nonLock, ALL_LOCKS))) flags.push('mixed-lock-accesses');
  // lock-final: [FW] ; loc ; [ALL-LOCKS], FW being the final writes the condition observes
  if (!isEmpty(inter(g.observedLoc, ALL_LOCKS))) flags.push('lock-final');
  const rmw = union(rmw0, lkRmw);
  if (!isEmpty(diff(g.LKW, u.range(lkRmw)))) flags.push('unpaired-LKW');
  if (!isEmpty(diff(g.LKR, u.domain(lkRmw)))) flags.push('unpaired-LKR');
  const ulInside = u.seq(u.restrict(poLoc, null, g.UL), poLoc);
  if (!isEmpty(diff(u.restrict(poLoc, g.LKW, g.LKR), ulInside))) staticFailed ??= 'lock-nest';
  if (!isEmpty(diff(u.restrict(poLoc, g.LKW, g.RU), ulInside))) staticFailed ??= 'nested-is-locked';
  const R = union(g.R0, g.LKR, LF, g.RU);
  const Wlk = union(g.W0, g.LKW);
  const Release = union(Release0, g.UL);
  const Acquire = union(Acquire0, g.LKR);
  const critical = diff(
    u.restrict(poLoc, g.LKW, g.UL),
    u.seq(u.restrict(poLoc, null, union(g.LKW, g.UL)), poLoc),
  );
  if (!isEmpty(diff(g.UL, u.range(critical)))) flags.push('unmatched-unlock');
  const unmatchedLKW = diff(g.LKW, u.domain(critical));
  if (!isEmpty(diff(u.restrict(g.loc, unmatchedLKW, unmatchedLKW), u.id()))) staticFailed ??= 'unmatched-locks';
  const W = union(Wlk, g.UL);
  const M = union(R, W);
  const sets: Record<string, Uint32Array> = {
    Rmb: T('rmb'), Wmb: T('wmb'), 'Before-atomic': T('before-atomic'), 'After-atomic': T('after-atomic'),
    'After-spinlock': T('after-spinlock'), 'After-unlock-lock': T('after-unlock-lock'),
    'After-srcu-read-unlock': T('after-srcu-read-unlock'), Barrier: T('barrier'),
    'Rcu-lock': RcuLock, 'Rcu-unlock': RcuUnlock, 'Sync-rcu': T('sync-rcu'), 'Sync-srcu': g.SyncSrcu,
    'Srcu-lock': g.SrcuLock, 'Srcu-unlock': g.SrcuUnlock,
  };
  return {
    g, poLoc, lkRmw, rmw, critical, unmatchedLKW, rcuRscs,
    ...(staticFailed ? { staticFailed } : {}),
    staticFlags: flags,
    R, W, M, Marked, Plain, Acquire, Release, Mb, Noreturn, RMW,
    fencerel,
    setOf: (name) => sets[name] ?? emptySet(u),
  };
}

/** `singlestep(r)`: the immediate successors, r \ (r ; r). */
function singlestep(u: Universe, r: Uint32Array): Uint32Array {
  return diff(r, u.seq(r, r));
}

/**
 * Evaluates the LKMM on one candidate. `stopEarly`: return at the first failed
 * axiom without computing flags (the enumerator's fast path).
 */
export function evaluate(p: Prepared, ch: Choices, opts: { stopEarly?: boolean; keep?: boolean } = {}): Evaluated {
  const { g } = p;
  const { u } = g;
  const rel: Record<string, Uint32Array> = {};
  const set: Record<string, Uint32Array> = {};
  const flags = [...p.staticFlags];
  const keep = opts.keep === true;
  const fail = (axiom: Axiom): Evaluated => ({ allowed: false, failed: axiom, flags, rel, set });
  if (p.staticFailed && opts.stopEarly) return fail(p.staticFailed);
  const po = g.po;
  const poLoc = p.poLoc;
  const S = p.setOf;
  const fencerel = p.fencerel;

  // ---- bell, rf-dependent part ----
  const rfEngine = u.restrict(ch.rf, null, g.R0);
  const rfiEngine = inter(rfEngine, g.int);
  const notSrcuUnlock = complement(u, g.SrcuUnlock);
  if (!isEmpty(g.SrcuLock)) {
    // carry-srcu-data = (data ; [~Srcu-unlock] ; rf)*
    const carrySrcu = u.star(u.seq(u.restrict(g.data, null, notSrcuUnlock), rfEngine));
    // srcu-rscs = ([Srcu-lock] ; carry-srcu-data ; data ; [Srcu-unlock]) & loc
    const srcuRscs = inter(u.restrict(u.seq(u.restrict(carrySrcu, g.SrcuLock, null), g.data), null, g.SrcuUnlock), g.loc);
    rel['srcu-rscs'] = srcuRscs;
    if (!isEmpty(diff(g.SrcuLock, u.domain(srcuRscs)))) flags.push('unmatched-srcu-lock');
    if (!isEmpty(diff(g.SrcuUnlock, u.range(srcuRscs)))) flags.push('unmatched-srcu-unlock');
    if (!isEmpty(diff(u.seq(u.inv(srcuRscs), srcuRscs), u.id()))) flags.push('multiple-srcu-matches');
    let bad = false;
    for (let i = 0; i < u.n && !bad; i++)
      for (let j = 0; j < u.n; j++)
        if ((srcuRscs[i * u.w + (j >>> 5)]! & (1 << (j & 31))) !== 0 && ch.value[i] !== ch.value[j]) bad = true;
    if (bad) flags.push('srcu-bad-value-match');
  } else rel['srcu-rscs'] = u.rel();
  // carry-dep = (data ; [~Srcu-unlock] ; rfi)*
  const carryDep = u.star(u.seq(u.restrict(g.data, null, notSrcuUnlock), rfiEngine));
  const addr = u.seq(carryDep, g.addr);
  const ctrl = u.seq(carryDep, g.ctrl);
  const data = u.seq(carryDep, g.data);

  // ---- lock.cat, rf/co-dependent part ----
  // co = (co | critical | (critical^-1 ; co))+
  const co = u.plus(union(ch.co, p.critical, u.seq(u.inv(p.critical), ch.co)));
  // rf = rf | ([IW | UL] ; singlestep(co) ; lk-rmw^-1)
  const rf = union(ch.rf, u.seq(u.restrict(singlestep(u, co), union(g.IW, g.UL), null), u.inv(p.lkRmw)));
  const fr = u.seq(u.inv(rf), co);
  const rfe = inter(rf, g.ext);
  const rfi = inter(rf, g.int);
  const coe = inter(co, g.ext);
  const fre = inter(fr, g.ext);
  if (keep) Object.assign(rel, { rf, co, fr, rfe, rfi, coe, fre, po, addr, data, ctrl, 'po-loc': poLoc });
  const M = p.M;
  const R = p.R;
  const W = p.W;
  const Marked = p.Marked;
  const Plain = p.Plain;

  // ---- linux-kernel.cat ----
  // Sequential Consistency Per Variable
  const com = union(rf, co, fr);
  if (!u.acyclic(union(poLoc, com))) {
    if (opts.stopEarly) return fail('coherence');
    return finish('coherence');
  }
  // Atomic Read-Modify-Write
  if (!isEmpty(inter(p.rmw, u.seq(fre, coe)))) {
    if (opts.stopEarly) return fail('atomic');
    return finish('atomic');
  }
  if (p.staticFailed) return finish(p.staticFailed);

  const acqPo = u.restrict(po, p.Acquire, M);
  const poRel = u.restrict(po, M, p.Release);
  // po-unlock-lock-po = po ; [UL] ; (po|rf) ; [LKR] ; po
  const poUnlockLockPo = u.seq(u.seq(u.restrict(po, null, g.UL), u.restrict(union(po, rf), null, g.LKR)), po);
  const R4rmb = diff(R, p.Noreturn);
  const Rmb = S('Rmb');
  const rmb = u.restrict(fencerel(Rmb), R4rmb, R4rmb);
  const wmb = u.restrict(fencerel(S('Wmb')), W, W);
  const RMW = p.RMW;
  const poOpt = u.opt(po);
  const mb = union(
    u.restrict(fencerel(p.Mb), M, M),
    u.restrict(po, M, inter(p.Mb, R)),
    u.restrict(po, inter(p.Mb, W), M),
    u.restrict(u.seq(u.restrict(fencerel(S('Before-atomic')), M, RMW), poOpt), null, M),
    u.restrict(u.seq(u.restrict(poOpt, M, RMW), fencerel(S('After-atomic'))), null, M),
    u.restrict(u.seq(u.restrict(poOpt, M, g.LKW), fencerel(S('After-spinlock'))), null, M),
    u.restrict(u.seq(u.restrict(poUnlockLockPo, M, S('After-unlock-lock')), po), null, M),
    u.restrict(u.seq(u.restrict(poOpt, M, S('Srcu-unlock')), fencerel(S('After-srcu-read-unlock'))), null, M),
  );
  const gp = u.seq(u.restrict(po, null, union(S('Sync-rcu'), S('Sync-srcu'))), poOpt);
  let strongFence = union(mb, gp);
  const nonrwFence0 = union(strongFence, poRel, acqPo);
  let fence = union(nonrwFence0, wmb, rmb);
  const barrier = union(
    fencerel(
      union(
        S('Barrier'), Rmb, S('Wmb'), p.Mb, S('Sync-rcu'), S('Sync-srcu'), S('Before-atomic'), S('After-atomic'),
        p.Acquire, p.Release, S('Rcu-lock'), S('Rcu-unlock'), S('Srcu-lock'), S('Srcu-unlock'),
      ),
    ),
    u.restrict(po, null, p.Release),
    u.restrict(po, p.Acquire, null),
  );

  // Preserved Program Order
  const dep = union(addr, data);
  const rwdep = u.restrict(union(dep, ctrl), null, W);
  const overwrite = union(co, fr);
  const toW = union(rwdep, inter(overwrite, g.int), u.restrict(u.seq(u.restrict(addr, null, Plain), wmb), null, null));
  const toR = union(u.restrict(addr, null, R), u.seq(u.restrict(dep, null, Marked), rfi));
  const ppo = union(toR, toW, inter(fence, g.int), inter(poUnlockLockPo, g.int));

  // Propagation: Ordering from release operations and strong fences.
  const rfeMarked = u.restrict(rfe, null, Marked);
  const aCumul = (r: Uint32Array): Uint32Array => union(r, u.seq(rfeMarked, r));
  // rmw-sequence = (rf ; rmw)*
  const rmwSequence = u.star(u.seq(rf, p.rmw));
  const cumulFence = u.seq(
    u.restrict(union(aCumul(union(strongFence, poRel)), wmb, poUnlockLockPo), Marked, Marked),
    rmwSequence,
  );
  const computeProp = (cf: Uint32Array): Uint32Array =>
    u.restrict(
      u.seq(u.seq(u.opt(u.restrict(inter(overwrite, g.ext), Marked, null)), u.restrict(u.star(cf), null, Marked)), u.opt(u.restrict(rfe, null, Marked))),
      Marked,
      Marked,
    );
  const prop = computeProp(cumulFence);

  // Happens Before
  const notId = diff(u.relOf(() => true), u.id());
  const hb = u.restrict(union(ppo, rfe, inter(inter(prop, notId), g.int)), Marked, Marked);
  if (keep) Object.assign(rel, { ppo, hb, prop, 'cumul-fence': cumulFence, mb, wmb, rmb, gp, 'po-rel': poRel, 'acq-po': acqPo, 'po-unlock-lock-po': poUnlockLockPo, 'rmw-sequence': rmwSequence, 'strong-fence': strongFence, fence });
  if (!u.acyclic(hb)) {
    if (opts.stopEarly) return fail('happens-before');
    return finish('happens-before');
  }
  const hbStar = u.star(hb);
  // Propagation: each non-rf link needs a strong fence.
  const pb = u.restrict(u.seq(u.seq(prop, strongFence), hbStar), null, Marked);
  if (keep) rel.pb = pb;
  if (!u.acyclic(pb)) {
    if (opts.stopEarly) return fail('propagation');
    return finish('propagation');
  }

  // ---- RCU ----
  const rcuGp = u.id(S('Sync-rcu'));
  const srcuGp = u.id(S('Sync-srcu'));
  const rcuRscsi = u.inv(p.rcuRscs);
  const srcuRscsi = u.inv(rel['srcu-rscs']!);
  const pbStar = u.star(pb);
  // rcu-link = po? ; hb* ; pb* ; prop ; po
  const rcuLink = u.seq(u.seq(u.seq(u.seq(poOpt, hbStar), pbStar), prop), po);
  let rcuOrder = union(rcuGp, srcuGp);
  const hasRcu = !isEmpty(S('Sync-rcu')) || !isEmpty(S('Sync-srcu'));
  if (hasRcu) {
    const L = (a: Uint32Array, b: Uint32Array): Uint32Array => u.seq(u.seq(a, rcuLink), b);
    const base = union(
      rcuGp, srcuGp,
      L(rcuGp, rcuRscsi), inter(L(srcuGp, srcuRscsi), g.loc),
      L(rcuRscsi, rcuGp), inter(L(srcuRscsi, srcuGp), g.loc),
    );
    rcuOrder = base;
    for (;;) {
      const LL = (a: Uint32Array, b: Uint32Array): Uint32Array => u.seq(u.seq(L(a, rcuOrder), rcuLink), b);
      const next = union(
        base,
        LL(rcuGp, rcuRscsi), inter(LL(srcuGp, srcuRscsi), g.loc),
        LL(rcuRscsi, rcuGp), inter(LL(srcuRscsi, srcuGp), g.loc),
        L(rcuOrder, rcuOrder),
      );
      let same = true;
      for (let k = 0; k < next.length; k++) if (next[k] !== rcuOrder[k]) { same = false; break; }
      rcuOrder = next;
      if (same) break;
    }
  }
  // rcu-fence = po ; rcu-order ; po?
  const rcuFence = u.seq(u.seq(po, rcuOrder), poOpt);
  fence = union(fence, rcuFence);
  strongFence = union(strongFence, rcuFence);
  // rb = prop ; rcu-fence ; hb* ; pb* ; [Marked]
  const rb = hasRcu ? u.restrict(u.seq(u.seq(u.seq(prop, rcuFence), hbStar), pbStar), null, Marked) : u.rel();
  if (keep) Object.assign(rel, { rb, 'rcu-fence': rcuFence, 'rcu-order': rcuOrder, 'rcu-link': rcuLink });
  if (!u.irreflexive(rb)) {
    if (opts.stopEarly) return fail('rcu');
    return finish('rcu');
  }

  // ---- Plain accesses and data races ----
  const poLocNoBarrier = diff(poLoc, barrier);
  const PlainW = inter(Plain, W);
  if (!isEmpty(u.restrict(poLocNoBarrier, PlainW, Marked)) || !isEmpty(u.restrict(poLocNoBarrier, Marked, PlainW)))
    flags.push('mixed-accesses');
  if (!isEmpty(Plain)) {
    const xbstar = u.star(union(hb, pb, rb));
    const nonrwFence = nonrwFence0;
    // vis = cumul-fence* ; rfe? ; [Marked] ; ((strong-fence ; [Marked] ; xbstar) | (xbstar & int))
    const visTail = union(u.seq(u.restrict(strongFence, null, Marked), xbstar), inter(xbstar, g.int));
    const visR = u.seq(u.restrict(u.seq(u.star(cumulFence), u.opt(rfe)), null, Marked), visTail);
    const notNoreturn = complement(u, p.Noreturn);
    const wPreBounded = u.restrict(u.opt(union(addr, fence)), Marked, null);
    const rPreBounded = u.restrict(u.opt(union(addr, nonrwFence, u.restrict(fencerel(Rmb), R4rmb, notNoreturn))), Marked, null);
    const wPostBounded = u.seq(u.restrict(u.opt(fence), null, Marked), rmwSequence);
    const rPostBounded = u.restrict(u.opt(union(nonrwFence, u.restrict(fencerel(Rmb), notNoreturn, R4rmb))), null, Marked);
    const wwVis = union(fence, u.seq(u.seq(strongFence, xbstar), wPreBounded), u.seq(u.seq(wPostBounded, visR), wPreBounded));
    const wrVis = union(fence, u.seq(u.seq(strongFence, xbstar), rPreBounded), u.seq(u.seq(wPostBounded, visR), rPreBounded));
    const rwXbstar = union(fence, u.seq(u.seq(rPostBounded, xbstar), wPreBounded));
    const preRace = inter(g.ext, union(u.cross(Plain, M), u.cross(diff(M, g.IW), Plain)));
    const wrIncoh = inter(inter(preRace, rf), u.inv(rwXbstar));
    const rwIncoh = inter(inter(preRace, fr), u.inv(wrVis));
    const wwIncoh = inter(inter(preRace, co), u.inv(wwVis));
    if (!isEmpty(union(wrIncoh, rwIncoh, wwIncoh))) {
      if (opts.stopEarly) return fail('plain-coherence');
      return finish('plain-coherence');
    }
    const wwNonrace = inter(inter(wwVis, union(u.cross(Marked, W), rwXbstar)), union(u.cross(W, Marked), wrVis));
    const wwRace = diff(inter(preRace, co), wwNonrace);
    const wrRace = diff(diff(inter(preRace, u.seq(u.opt(co), rf)), wrVis), u.inv(rwXbstar));
    const rwRace = diff(inter(preRace, fr), rwXbstar);
    if (keep) Object.assign(rel, { 'ww-race': wwRace, 'wr-race': wrRace, 'rw-race': rwRace, 'pre-race': preRace });
    if (!isEmpty(union(wwRace, wrRace, rwRace))) flags.push('data-race');
  }
  return { allowed: true, flags, rel, set };

  function finish(axiom: Axiom): Evaluated {
    return { allowed: false, failed: axiom, flags, rel, set };
  }
}
