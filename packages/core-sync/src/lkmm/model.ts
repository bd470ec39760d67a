// The Linux-kernel memory model, evaluated on one candidate execution.
// Source: the kernel's tools/memory-model/linux-kernel.bell, lock.cat and
// linux-kernel.cat (the 2024 "lkmmv2" versions that herd7 >= 7.58 reads), and
// tools/memory-model/Documentation/explanation.txt for their meaning. The
// names below are the `let` names of the cat files, so that a reader can follow
// both side by side. Relations are bit matrices (./bitrel).
//
// Everything that depends only on the control-flow paths is computed once per
// path combination (`prepare`); `evaluate` adds what rf and co decide. Two
// shortcuts keep it exact: (1) pb is acyclic iff hb | (prop ; strong-fence) is,
// once hb is known to be acyclic (a cycle of the union must use a prop link,
// and cutting it at those links gives pb steps); (2) hb* ; pb* is the closure
// of that same union (a*(ba*)* = (a|b)*), so RCU needs one closure.
import { type Universe, complement, diff, has, inter, isEmpty, union } from './bitrel';

/** The static shape of a candidate: its events and the relations fixed by the control-flow paths. */
export interface StaticGraph {
  readonly u: Universe;
  readonly IW: Uint32Array;
  /** herd's R and W before lock.cat: engine reads, and memory writes with the initial writes */
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
  /** annotation tags and fence names, as sets of events */
  readonly tag: ReadonlyMap<string, Uint32Array>;
  /** events on locations that the final state shows (for lock.cat's lock-final flag) */
  readonly observedLoc: Uint32Array;
  readonly po: Uint32Array;
  readonly loc: Uint32Array;
  readonly int: Uint32Array;
  readonly ext: Uint32Array;
  readonly addr: Uint32Array;
  readonly data: Uint32Array;
  readonly ctrl: Uint32Array;
  /** the R->W pairs of RMW instructions */
  readonly rmw: Uint32Array;
}

/** The choices of one candidate: reads-from and coherence order. */
export interface Choices {
  /** engine rf plus rf-lf and rf-ru (lock.cat's `with` choices); not the LKR edges, which are derived */
  readonly rf: Uint32Array;
  /** the coherence order generated over W | LKW (transitive, per location) */
  readonly co: Uint32Array;
  /** values written by writes and read by reads, for srcu-bad-value-match */
  readonly value?: readonly (number | string | undefined)[];
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

/** The result of evaluating the model on a candidate. */
export interface Evaluated {
  readonly allowed: boolean;
  /** the first axiom that fails, in the order of the cat files */
  readonly failed?: Axiom;
  readonly flags: readonly string[];
  /** the named relations (when evaluated with `keep`), for explanations */
  readonly rel: Readonly<Record<string, Uint32Array>>;
}

/**
 * How to read the choices: `exact` (a complete candidate); `over` (rf and co
 * hold every edge any completion may have: no axiom failing means every
 * completion passes hb, pb and rcu); `under` (edges every completion has: an
 * axiom failing means every completion fails it).
 */
export type EvalMode = 'exact' | 'over' | 'under';

/** What `prepare` computes once per combination of control-flow paths. */
export interface Prepared {
  readonly g: StaticGraph;
  readonly poLoc: Uint32Array;
  readonly lkRmw: Uint32Array;
  /** rmw | lk-rmw */
  readonly rmw: Uint32Array;
  readonly critical: Uint32Array;
  readonly unmatchedLKW: Uint32Array;
  readonly rcuRscs: Uint32Array;
  /** an axiom that fails whatever rf and co are (lock-nest, nested-is-locked, unmatched-locks) */
  readonly staticFailed?: Axiom;
  readonly staticFlags: readonly string[];
  /** lock.cat's R, W (UL included), M */
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
  /** whether the test needs the SRCU, plain-access or carry-dep machinery per candidate */
  readonly hasSrcu: boolean;
  readonly hasPlain: boolean;
  readonly hasRcu: boolean;
  readonly st: StaticRels;
}

/** Relations of linux-kernel.cat that do not depend on rf or co. */
interface StaticRels {
  readonly poOpt: Uint32Array;
  readonly notId: Uint32Array;
  readonly acqPo: Uint32Array;
  readonly poRel: Uint32Array;
  readonly rmb: Uint32Array;
  readonly wmb: Uint32Array;
  readonly gp: Uint32Array;
  /** mb without its po-unlock-lock-po clause */
  readonly mbStatic: Uint32Array;
  /** po ; [UL] and [LKR] ; po, for po-unlock-lock-po = po ; [UL] ; (po|rf) ; [LKR] ; po */
  readonly poUL: Uint32Array;
  readonly lkrPo: Uint32Array;
  /** po ; [UL] ; po ; [LKR] ; po */
  readonly poulpStatic: Uint32Array;
  readonly hasUnlockLock: boolean;
  readonly afterUnlockLockPo: Uint32Array;
  readonly barrier: Uint32Array;
  readonly R4rmb: Uint32Array;
  readonly fencerelRmb: Uint32Array;
  /** whether carry-dep can differ from the identity (a data dependency into a write that a later read of the same process may read) */
  readonly carryDynamic: boolean;
  readonly dataNoSU: Uint32Array;
  readonly notSrcuUnlock: Uint32Array;
}

function rcuMatch(g: StaticGraph, lock: Uint32Array, unlock: Uint32Array): Uint32Array {
  // bell: rcu-rscs matches each rcu_read_unlock() with the nearest unmatched
  // rcu_read_lock() before it in the same process (proper nesting).
  const { u } = g;
  const out = u.rel();
  const stack: number[] = [];
  let prev = -1;
  for (let i = 0; i < u.n; i++) {
    if (has(g.IW, i)) continue;
    if (prev >= 0 && !has(g.po.subarray(prev * u.w, prev * u.w + u.w), i)) stack.length = 0;
    if (has(lock, i)) stack.push(i);
    else if (has(unlock, i)) {
      const l = stack.pop();
      if (l !== undefined) out[l * u.w + (i >>> 5)]! |= 1 << (i & 31);
    }
    prev = i;
  }
  return out;
}

/** Everything of the bell, lock.cat and linux-kernel.cat that does not depend on rf or co. */
export function prepare(g: StaticGraph): Prepared {
  const { u } = g;
  const T = (name: string): Uint32Array => g.tag.get(name) ?? u.set();
  const po = g.po;
  const poLoc = inter(po, g.loc);
  const fencerel = (s: Uint32Array): Uint32Array => (isEmpty(s) ? u.rel() : u.seq(u.restrict(po, null, s), po));
  const flags: string[] = [];
  let staticFailed: Axiom | undefined;

  // ---- linux-kernel.bell ----
  const RMW = T('RMW');
  const rmw0 = g.rmw;
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

  // ---- lock.cat ----
  const LF = union(g.LF, g.RL);
  const ALL_LOCKS = union(g.LKR, g.LKW, g.UL, LF, g.RU, g.SrcuLock, g.SrcuUnlock, g.SyncSrcu);
  if (!isEmpty(u.restrict(g.loc, diff(diff(g.M0, g.IW), ALL_LOCKS), ALL_LOCKS))) flags.push('mixed-lock-accesses');
  const lkRmw = diff(u.restrict(poLoc, g.LKR, g.LKW), u.seq(po, po));
  const rmw = union(rmw0, lkRmw);
  if (!isEmpty(diff(g.LKW, u.range(lkRmw)))) flags.push('unpaired-LKW');
  if (!isEmpty(diff(g.LKR, u.domain(lkRmw)))) flags.push('unpaired-LKR');
  const ulInside = u.seq(u.restrict(poLoc, null, g.UL), poLoc);
  if (!isEmpty(diff(u.restrict(poLoc, g.LKW, g.LKR), ulInside))) staticFailed ??= 'lock-nest';
  if (!isEmpty(diff(u.restrict(poLoc, g.LKW, g.RU), ulInside))) staticFailed ??= 'nested-is-locked';
  // lock-final: [FW] ; loc ; [ALL-LOCKS], FW being the final writes the final state shows
  if (!isEmpty(inter(g.observedLoc, ALL_LOCKS))) flags.push('lock-final');
  const R = union(g.R0, g.LKR, LF, g.RU);
  const Release = union(Release0, g.UL);
  const Acquire = union(Acquire0, g.LKR);
  const critical = diff(u.restrict(poLoc, g.LKW, g.UL), u.seq(u.restrict(poLoc, null, union(g.LKW, g.UL)), poLoc));
  if (!isEmpty(diff(g.UL, u.range(critical)))) flags.push('unmatched-unlock');
  const unmatchedLKW = diff(g.LKW, u.domain(critical));
  if (!isEmpty(diff(u.restrict(g.loc, unmatchedLKW, unmatchedLKW), u.id()))) staticFailed ??= 'unmatched-locks';
  const W = union(g.W0, g.LKW, g.UL);
  const M = union(R, W);

  // ---- linux-kernel.cat, static parts ----
  const S = (name: string): Uint32Array => T(name);
  const poOpt = u.opt(po);
  const acqPo = u.restrict(po, Acquire, M);
  const poRel = u.restrict(po, M, Release);
  const R4rmb = diff(R, Noreturn);
  const fencerelRmb = fencerel(S('rmb'));
  const rmb = u.restrict(fencerelRmb, R4rmb, R4rmb);
  const wmb = u.restrict(fencerel(S('wmb')), W, W);
  const poUL = u.restrict(po, null, g.UL);
  const lkrPo = u.restrict(po, g.LKR, null);
  const poulpStatic = u.seq(u.seq(poUL, u.restrict(po, null, g.LKR)), po);
  const AUL = S('after-unlock-lock');
  const afterUnlockLockPo = u.restrict(po, AUL, M);
  const mbStatic = union(
    u.restrict(fencerel(Mb), M, M),
    u.restrict(po, M, inter(Mb, R)),
    u.restrict(po, inter(Mb, W), M),
    u.restrict(u.seq(u.restrict(fencerel(S('before-atomic')), M, RMW), poOpt), null, M),
    u.restrict(u.seq(u.restrict(poOpt, M, RMW), fencerel(S('after-atomic'))), null, M),
    u.restrict(u.seq(u.restrict(poOpt, M, g.LKW), fencerel(S('after-spinlock'))), null, M),
    u.restrict(u.seq(u.restrict(poOpt, M, g.SrcuUnlock), fencerel(S('after-srcu-read-unlock'))), null, M),
    // [M] ; po-unlock-lock-po ; [After-unlock-lock] ; po ; [M], po part of po-unlock-lock-po
    u.restrict(u.seq(u.restrict(poulpStatic, M, AUL), afterUnlockLockPo), M, M),
  );
  const gp = u.seq(u.restrict(po, null, union(S('sync-rcu'), g.SyncSrcu)), poOpt);
  const barrier = union(
    fencerel(
      union(
        S('barrier'), S('rmb'), S('wmb'), Mb, S('sync-rcu'), g.SyncSrcu, S('before-atomic'), S('after-atomic'),
        Acquire, Release, RcuLock, RcuUnlock, g.SrcuLock, g.SrcuUnlock,
      ),
    ),
    u.restrict(po, null, Release),
    u.restrict(po, Acquire, null),
  );
  const notSrcuUnlock = complement(u, g.SrcuUnlock);
  const dataNoSU = u.restrict(g.data, null, notSrcuUnlock);
  const carryDynamic = !isEmpty(u.restrict(u.seq(dataNoSU, poLoc), null, g.R0));
  const st: StaticRels = {
    poOpt, notId: diff(u.relOf(() => true), u.id()), acqPo, poRel, rmb, wmb, gp, mbStatic,
    poUL, lkrPo, poulpStatic, hasUnlockLock: !isEmpty(AUL) && !isEmpty(g.UL), afterUnlockLockPo,
    barrier, R4rmb, fencerelRmb, carryDynamic, dataNoSU, notSrcuUnlock,
  };
  return {
    g, poLoc, lkRmw, rmw, critical, unmatchedLKW, rcuRscs,
    ...(staticFailed ? { staticFailed } : {}),
    staticFlags: flags,
    R, W, M, Marked, Plain, Acquire, Release, Mb, Noreturn, RMW,
    hasSrcu: !isEmpty(g.SrcuLock) || !isEmpty(g.SrcuUnlock),
    hasPlain: !isEmpty(Plain),
    hasRcu: !isEmpty(S('sync-rcu')) || !isEmpty(g.SyncSrcu),
    st,
  };
}

/**
 * Evaluates the LKMM on one candidate (or, with `mode`, on an over- or
 * under-approximation of a set of candidates). `keep` computes and returns
 * every named relation, for explanations.
 */
export function evaluate(p: Prepared, ch: Choices, opts: { mode?: EvalMode; keep?: boolean } = {}): Evaluated {
  const { g, st } = p;
  const { u } = g;
  const mode = opts.mode ?? 'exact';
  const keep = opts.keep === true;
  const rel: Record<string, Uint32Array> = {};
  const flags = [...p.staticFlags];
  const result = (failed?: Axiom): Evaluated => (failed ? { allowed: false, failed, flags, rel } : { allowed: true, flags, rel });
  const po = g.po;
  const poLoc = p.poLoc;
  const Marked = p.Marked;

  // ---- bell: SRCU critical sections and dependencies through plain memory ----
  const rfEngine = p.hasSrcu || st.carryDynamic ? u.restrict(ch.rf, null, g.R0) : ch.rf;
  if (p.hasSrcu) {
    // carry-srcu-data = (data ; [~Srcu-unlock] ; rf)* ; srcu-rscs = ([Srcu-lock] ; carry-srcu-data ; data ; [Srcu-unlock]) & loc
    const carrySrcu = u.star(u.seq(st.dataNoSU, rfEngine));
    const srcuRscs = inter(u.restrict(u.seq(u.restrict(carrySrcu, g.SrcuLock, null), g.data), null, g.SrcuUnlock), g.loc);
    rel['srcu-rscs'] = srcuRscs;
    if (!isEmpty(diff(g.SrcuLock, u.domain(srcuRscs)))) flags.push('unmatched-srcu-lock');
    if (!isEmpty(diff(g.SrcuUnlock, u.range(srcuRscs)))) flags.push('unmatched-srcu-unlock');
    if (!isEmpty(diff(u.seq(u.inv(srcuRscs), srcuRscs), u.id()))) flags.push('multiple-srcu-matches');
    if (ch.value) {
      let bad = false;
      for (let i = 0; i < u.n && !bad; i++)
        for (let j = 0; j < u.n; j++)
          if ((srcuRscs[i * u.w + (j >>> 5)]! & (1 << (j & 31))) !== 0 && ch.value[i] !== ch.value[j]) bad = true;
      if (bad) flags.push('srcu-bad-value-match');
    }
  }
  let addr = g.addr;
  let data = g.data;
  let ctrl = g.ctrl;
  if (st.carryDynamic) {
    // carry-dep = (data ; [~Srcu-unlock] ; rfi)*
    const carryDep = u.star(u.seq(st.dataNoSU, inter(rfEngine, g.int)));
    addr = u.seq(carryDep, addr);
    ctrl = u.seq(carryDep, ctrl);
    data = u.seq(carryDep, data);
  }

  // ---- lock.cat: co with the unlocks, rf with the lock reads, fr ----
  // co = (co | critical | (critical^-1 ; co))+
  const co = isEmpty(g.UL) ? ch.co : u.plus(union(ch.co, p.critical, u.seq(u.inv(p.critical), ch.co)));
  let rf = ch.rf;
  if (!isEmpty(g.LKR)) {
    if (mode === 'exact') {
      // rf = rf | ([IW | UL] ; singlestep(co) ; lk-rmw^-1)
      const step = diff(co, u.seq(co, co));
      rf = union(rf, u.seq(u.restrict(step, union(g.IW, g.UL), null), u.inv(p.lkRmw)));
    } else if (mode === 'over') {
      // every initial write or unlock of the same lock may be the one an LKR reads
      rf = union(rf, u.restrict(g.loc, union(g.IW, g.UL), g.LKR));
    }
  }
  const fr = u.seq(u.inv(rf), co);
  const rfe = inter(rf, g.ext);
  const rfi = inter(rf, g.int);
  const coe = inter(co, g.ext);
  const fre = inter(fr, g.ext);
  if (keep) Object.assign(rel, { rf, co, fr, rfe, rfi, coe, fre, po, addr, data, ctrl, 'po-loc': poLoc });

  // ---- linux-kernel.cat ----
  if (mode !== 'over') {
    // coherence: acyclic po-loc | com
    if (!u.acyclic(union(poLoc, rf, co, fr))) return result('coherence');
    // atomic: empty rmw & (fre ; coe)
    if (!isEmpty(inter(p.rmw, u.seq(fre, coe)))) return result('atomic');
  }
  if (p.staticFailed) return result(p.staticFailed);

  // po-unlock-lock-po = po ; [UL] ; (po|rf) ; [LKR] ; po
  let poulp = st.poulpStatic;
  let strongFence = union(st.mbStatic, st.gp);
  if (!isEmpty(g.UL) && !isEmpty(g.LKR)) {
    const dyn = u.seq(u.seq(st.poUL, u.restrict(rf, null, g.LKR)), po);
    poulp = union(poulp, dyn);
    if (st.hasUnlockLock) {
      const M = p.M;
      const extra = u.restrict(u.seq(u.restrict(dyn, M, g.tag.get('after-unlock-lock')!), st.afterUnlockLockPo), M, M);
      strongFence = union(strongFence, extra);
    }
  }
  const mb = keep ? union(st.mbStatic, diff(strongFence, st.gp)) : strongFence;
  const nonrwFence = union(strongFence, st.poRel, st.acqPo);
  const fence = union(nonrwFence, st.wmb, st.rmb);

  // Preserved Program Order
  const dep = union(addr, data);
  const rwdep = u.restrict(union(dep, ctrl), null, p.W);
  const overwrite = union(co, fr);
  const overInt = inter(overwrite, g.int);
  const toW = union(rwdep, overInt, u.seq(u.restrict(addr, null, p.Plain), st.wmb));
  const toR = union(u.restrict(addr, null, p.R), u.seq(u.restrict(dep, null, Marked), rfi));
  const ppo = union(toR, toW, fence, inter(poulp, g.int));

  // Propagation: ordering from release operations and strong fences
  const rmwSequence = isEmpty(p.rmw) ? null : u.star(u.seq(rf, p.rmw));
  const sfRel = union(strongFence, st.poRel);
  // A-cumul(r) = (rfe ; [Marked])? ; r
  const aCumul = union(sfRel, u.seq(u.restrict(rfe, null, Marked), sfRel));
  let cumulFence = u.restrict(union(aCumul, st.wmb, poulp), Marked, Marked);
  if (rmwSequence) cumulFence = u.seq(cumulFence, rmwSequence);
  // prop = [Marked] ; (overwrite & ext)? ; cumul-fence* ; [Marked] ; rfe? ; [Marked]
  const head = u.opt(u.restrict(inter(overwrite, g.ext), Marked, null));
  const prop = u.restrict(
    u.seq(u.seq(head, u.restrict(u.star(cumulFence), null, Marked)), u.opt(u.restrict(rfe, null, Marked))),
    Marked,
    Marked,
  );

  // Happens Before
  const hb = u.restrict(union(ppo, rfe, inter(inter(prop, st.notId), g.int)), Marked, Marked);
  if (keep)
    Object.assign(rel, {
      ppo, hb, prop, 'cumul-fence': cumulFence, mb, wmb: st.wmb, rmb: st.rmb, gp: st.gp, 'po-rel': st.poRel,
      'acq-po': st.acqPo, 'po-unlock-lock-po': poulp, 'strong-fence': strongFence, fence, 'to-r': toR, 'to-w': toW,
      'rmw-sequence': rmwSequence ?? u.id(), rmw: p.rmw,
    });
  if (!u.acyclic(hb)) return result('happens-before');
  // Propagation: pb = prop ; strong-fence ; hb* ; [Marked], acyclic iff hb | prop;strong-fence is
  const propSf = u.seq(prop, strongFence);
  const hbPropSf = union(hb, u.restrict(propSf, null, Marked));
  if (keep) {
    const hbStar = u.star(hb);
    rel['hb*'] = hbStar;
    rel.pb = u.restrict(u.seq(propSf, hbStar), null, Marked);
  }
  if (!u.acyclic(hbPropSf)) return result('propagation');

  // ---- RCU ----
  let rb: Uint32Array | null = null;
  let rcuFence: Uint32Array | null = null;
  if (p.hasRcu) {
    const syncRcu = g.tag.get('sync-rcu') ?? u.set();
    const rcuGp = u.id(syncRcu);
    const srcuGp = u.id(g.SyncSrcu);
    const rcuRscsi = u.inv(p.rcuRscs);
    const srcuRscsi = rel['srcu-rscs'] ? u.inv(rel['srcu-rscs']) : u.rel();
    // hb* ; pb*, the closure of hb | prop;strong-fence
    const xbPath = u.star(hbPropSf);
    // rcu-link = po? ; hb* ; pb* ; prop ; po
    const rcuLink = u.seq(u.seq(u.seq(st.poOpt, xbPath), prop), po);
    const L = (a: Uint32Array, b: Uint32Array): Uint32Array => u.seq(u.seq(a, rcuLink), b);
    const base = union(
      rcuGp, srcuGp,
      L(rcuGp, rcuRscsi), inter(L(srcuGp, srcuRscsi), g.loc),
      L(rcuRscsi, rcuGp), inter(L(srcuRscsi, srcuGp), g.loc),
    );
    let rcuOrder = base;
    for (;;) {
      const LL = (a: Uint32Array, b: Uint32Array): Uint32Array => u.seq(u.seq(L(a, rcuOrder), rcuLink), b);
      const next = union(
        base,
        LL(rcuGp, rcuRscsi), inter(LL(srcuGp, srcuRscsi), g.loc),
        LL(rcuRscsi, rcuGp), inter(LL(srcuRscsi, srcuGp), g.loc),
        L(rcuOrder, rcuOrder),
      );
      let same = true;
      for (let k = 0; k < next.length; k++)
        if (next[k] !== rcuOrder[k]) {
          same = false;
          break;
        }
      rcuOrder = next;
      if (same) break;
    }
    // rcu-fence = po ; rcu-order ; po?
    rcuFence = u.seq(u.seq(po, rcuOrder), st.poOpt);
    // rb = prop ; rcu-fence ; hb* ; pb* ; [Marked]
    rb = u.restrict(u.seq(u.seq(prop, rcuFence), xbPath), null, Marked);
    if (keep) Object.assign(rel, { rb, 'rcu-fence': rcuFence, 'rcu-order': rcuOrder, 'rcu-link': rcuLink, 'xb*': xbPath });
    if (!u.irreflexive(rb)) return result('rcu');
  }

  if (mode !== 'exact' && !p.hasPlain) return result();

  // ---- Plain accesses and data races ----
  if (!p.hasPlain) return result();
  const fenceR = rcuFence ? union(fence, rcuFence) : fence;
  const strongFenceR = rcuFence ? union(strongFence, rcuFence) : strongFence;
  const poLocNoBarrier = diff(poLoc, st.barrier);
  const PlainW = inter(p.Plain, p.W);
  if (!isEmpty(u.restrict(poLocNoBarrier, PlainW, Marked)) || !isEmpty(u.restrict(poLocNoBarrier, Marked, PlainW)))
    flags.push('mixed-accesses');
  const hbStar = u.star(hb);
  const pb = u.restrict(u.seq(propSf, hbStar), null, Marked);
  const xbstar = u.star(rb ? union(hb, pb, rb) : union(hb, pb));
  const R4rmb = st.R4rmb;
  const notNoreturn = complement(u, p.Noreturn);
  // vis = cumul-fence* ; rfe? ; [Marked] ; ((strong-fence ; [Marked] ; xbstar) | (xbstar & int))
  const visTail = union(u.seq(u.restrict(strongFenceR, null, Marked), xbstar), inter(xbstar, g.int));
  const vis = u.seq(u.restrict(u.seq(u.star(cumulFence), u.opt(rfe)), null, Marked), visTail);
  const wPreBounded = u.restrict(u.opt(union(addr, fenceR)), Marked, null);
  const rPreBounded = u.restrict(u.opt(union(addr, nonrwFence, u.restrict(st.fencerelRmb, R4rmb, notNoreturn))), Marked, null);
  const wPostBounded = u.restrict(u.opt(fenceR), null, Marked);
  const wPost = rmwSequence ? u.seq(wPostBounded, rmwSequence) : wPostBounded;
  const rPostBounded = u.restrict(u.opt(union(nonrwFence, u.restrict(st.fencerelRmb, notNoreturn, R4rmb))), null, Marked);
  const sfx = u.seq(strongFenceR, xbstar);
  const wwVis = union(fenceR, u.seq(sfx, wPreBounded), u.seq(u.seq(wPost, vis), wPreBounded));
  const wrVis = union(fenceR, u.seq(sfx, rPreBounded), u.seq(u.seq(wPost, vis), rPreBounded));
  const rwXbstar = union(fenceR, u.seq(u.seq(rPostBounded, xbstar), wPreBounded));
  const M = p.M;
  const preRace = inter(g.ext, union(u.cross(p.Plain, M), u.cross(diff(M, g.IW), p.Plain)));
  const wrIncoh = inter(inter(preRace, rf), u.inv(rwXbstar));
  const rwIncoh = inter(inter(preRace, fr), u.inv(wrVis));
  const wwIncoh = inter(inter(preRace, co), u.inv(wwVis));
  if (!isEmpty(union(wrIncoh, rwIncoh, wwIncoh))) return result('plain-coherence');
  if (mode !== 'exact') return result();
  const wwNonrace = inter(inter(wwVis, union(u.cross(Marked, p.W), rwXbstar)), union(u.cross(p.W, Marked), wrVis));
  const wwRace = diff(inter(preRace, co), wwNonrace);
  const wrRace = diff(diff(inter(preRace, u.seq(u.opt(co), rf)), wrVis), u.inv(rwXbstar));
  const rwRace = diff(inter(preRace, fr), rwXbstar);
  if (keep) Object.assign(rel, { 'ww-race': wwRace, 'wr-race': wrRace, 'rw-race': rwRace, 'pre-race': preRace, xbstar, pb });
  if (!isEmpty(union(wwRace, wrRace, rwRace))) flags.push('data-race');
  return result();
}
