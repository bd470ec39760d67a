// Small pieces of the kernel the mac802154 model needs and @k/core-sync does
// not provide: tasklets (kernel/softirq.c), sk_buffs with their reference
// count and queue (include/linux/skbuff.h), list heads (include/linux/list.h)
// whose plain pointer updates the race detector sees, and the per-host RTNL
// (net/core/rtnetlink.c). Every simulated host (the scanner, each coordinator)
// is its own kernel: its own RTNL, module and workqueues.
//
// The tasklet rides on a soft hrtimer armed for "now": its callback runs in
// softirq context on the CPU that scheduled it, once, however often it was
// scheduled before it ran, as tasklet_schedule() guarantees. (core-sync's own
// tasklets run as soon as the CPU allows; this one waits for the timer tick of
// the current instant, which is what the scan scenarios were explored with.)

import {
  A_SYNC, BLOCK_SLEEP, Cell, DEFINE_MUTEX, GFP_ATOMIC, HRTIMER_MODE_REL_SOFT, HRTIMER_NORESTART, Op, THIS_MODULE, hrtimer_setup,
  hrtimer_start, kfree, kzalloc, lockdep_assert_held, mutex_lock, mutex_unlock, spin_lock_init, spin_lock_irqsave, spin_unlock_irqrestore,
  type Hrtimer, type KGen, type Module, type Mutex, type SpinLock, type gfp_t,
} from '@k/core-sync';

// ---- tasklets ------------------------------------------------------------------------

/** struct tasklet_struct */
export class TaskletStruct {
  /** TASKLET_STATE_SCHED */
  scheduled = false;
  /** TASKLET_STATE_RUN */
  running = false;
  readonly timer: Hrtimer;
  readonly idle: Op;
  constructor(
    readonly name: string,
    readonly func: (t: TaskletStruct) => KGen<unknown>,
  ) {
    this.timer = hrtimer_setup(() => this.action(), undefined, HRTIMER_MODE_REL_SOFT, `tasklet:${name}`);
    this.idle = new Op(`tasklet_unlock_wait(${name})`, this, BLOCK_SLEEP, A_SYNC, () => !this.scheduled && !this.running);
  }

  /** tasklet_action(): a tasklet running on another CPU is raised again, never run twice at once. */
  private *action(): KGen<number> {
    if (this.running) {
      yield* hrtimer_start(this.timer, 0, HRTIMER_MODE_REL_SOFT);
      return HRTIMER_NORESTART;
    }
    this.scheduled = false;
    this.running = true;
    try {
      yield* this.func(this);
    } finally {
      this.running = false;
    }
    return HRTIMER_NORESTART;
  }
}

/** tasklet_setup(t, callback): here it returns the tasklet. */
export function tasklet_setup(func: (t: TaskletStruct) => KGen<unknown>, name: string): TaskletStruct {
  return new TaskletStruct(name, func);
}

/** tasklet_schedule(): runs the tasklet once, soon, in softirq context; a no-op if it is already scheduled. */
export function* tasklet_schedule(t: TaskletStruct): KGen {
  if (t.scheduled) return;
  t.scheduled = true;
  yield* hrtimer_start(t.timer, 0, HRTIMER_MODE_REL_SOFT);
}

/** tasklet_kill()'s wait: until the tasklet is neither scheduled nor running (process context). */
export function* tasklet_kill(t: TaskletStruct): KGen {
  yield t.idle;
}

// ---- RTNL and the host ------------------------------------------------------------------

/** One simulated machine: its RTNL and the module of its 802.15.4 driver. */
export class Host {
  readonly rtnl_mutex: Mutex;
  /** The driver's struct module (local->hw.parent->driver->owner). */
  readonly driverModule: Module;
  constructor(readonly name: string) {
    this.rtnl_mutex = DEFINE_MUTEX(`${name}:rtnl_mutex`, 'rtnl_mutex');
    this.driverModule = THIS_MODULE(`${name}:ktrx`);
  }
}

export function* rtnl_lock(host: Host): KGen {
  yield* mutex_lock(host.rtnl_mutex);
}
export function* rtnl_unlock(host: Host): KGen {
  yield* mutex_unlock(host.rtnl_mutex);
}
/** ASSERT_RTNL() */
export function ASSERT_RTNL(host: Host): void {
  lockdep_assert_held(host.rtnl_mutex);
}

// ---- list heads -------------------------------------------------------------------------------

/**
 * struct list_head: the list is one shared variable; list_add_tail and
 * list_del are a plain read and a plain write of it (two scheduling points),
 * so an unlocked update racing another one is a data race, as in C.
 */
export class ListHead<T> {
  readonly head: Cell<readonly T[]>;
  constructor(name: string) {
    this.head = new Cell<readonly T[]>([], name);
  }
  /** the entries, without a scheduling point (properties) */
  peek(): readonly T[] {
    return this.head.peek();
  }
}

export function INIT_LIST_HEAD<T>(name: string): ListHead<T> {
  return new ListHead<T>(name);
}
export function* list_add_tail<T>(entry: T, l: ListHead<T>): KGen {
  const v = yield* l.head.read();
  yield* l.head.write([...v, entry]);
}
export function* list_del<T>(entry: T, l: ListHead<T>): KGen {
  const v = yield* l.head.read();
  yield* l.head.write(v.filter((e) => e !== entry));
}
export function* list_empty<T>(l: ListHead<T>): KGen<boolean> {
  return (yield* l.head.read()).length === 0;
}
/** list_first_entry_or_null() */
export function* list_first_entry<T>(l: ListHead<T>): KGen<T | null> {
  return (yield* l.head.read())[0] ?? null;
}
/** The entries for list_for_each_entry_safe(): one read of the list. */
export function* list_entries<T>(l: ListHead<T>): KGen<readonly T[]> {
  return yield* l.head.read();
}

// ---- sk_buff ------------------------------------------------------------------------------------

/** struct ieee802154_addr (include/net/cfg802154.h) as the MAC keeps it. */
export interface ieee802154_addr {
  mode: number;
  pan_id: number;
  short_addr: number;
  extended_addr: bigint;
}

/** struct ieee802154_mac_cb (mac_cb(skb)) */
export interface ieee802154_mac_cb {
  lqi: number;
  type: number;
  ackreq: boolean;
  secen: boolean;
  seq: number;
  source: ieee802154_addr;
  dest: ieee802154_addr;
}

/** What the transceiver knew about a received frame (ghost state: properties read it, the kernel code does not). */
export interface SkbGhost {
  frameId: number;
  page: number;
  channel: number;
  atNs: number;
  fcsOk: boolean;
}

/** struct sk_buff: the bytes from data on, the reference count, the control block. */
export interface sk_buff {
  data: Uint8Array;
  users: number;
  pkt_type: number;
  cb: ieee802154_mac_cb;
  dev: string | null;
  ghost: SkbGhost | null;
}

function emptyAddr(): ieee802154_addr {
  return { mode: 0, pan_id: 0, short_addr: 0, extended_addr: 0n };
}

/** dev_alloc_skb()/alloc_skb(): NULL when the allocation fails. */
export function* alloc_skb(bytes: Uint8Array, gfp: gfp_t = GFP_ATOMIC): KGen<sk_buff | null> {
  return yield* kzalloc<sk_buff>(() => ({
    data: bytes,
    users: 1,
    pkt_type: 0,
    cb: { lqi: 0, type: 0, ackreq: false, secen: false, seq: 0, source: emptyAddr(), dest: emptyAddr() },
    dev: null,
    ghost: null,
  }), gfp, 'skb');
}

/** skb_get(): one more reference. */
export function skb_get(skb: sk_buff): sk_buff {
  skb.users++;
  return skb;
}

/** kfree_skb() / consume_skb(): drops a reference, frees on the last one. */
export function* kfree_skb(skb: sk_buff | null): KGen {
  if (!skb) return;
  if (--skb.users === 0) yield* kfree(skb);
}

/** skb_pull(): drops `len` bytes from the front. */
export function skb_pull(skb: sk_buff, len: number): void {
  skb.data = skb.data.subarray(len);
}
/** skb_trim(): cuts the buffer to `len` bytes. */
export function skb_trim(skb: sk_buff, len: number): void {
  skb.data = skb.data.subarray(0, len);
}

/** struct sk_buff_head: a queue of skbs with its own irq-safe spinlock. */
export class SkbQueue {
  readonly lock: SpinLock;
  readonly items: sk_buff[] = [];
  constructor(name: string) {
    this.lock = spin_lock_init(`${name}.lock`, 'sk_buff_head.lock');
  }
}

export function* skb_queue_tail(q: SkbQueue, skb: sk_buff): KGen {
  const flags = yield* spin_lock_irqsave(q.lock);
  q.items.push(skb);
  yield* spin_unlock_irqrestore(q.lock, flags);
}
export function* skb_dequeue(q: SkbQueue): KGen<sk_buff | null> {
  const flags = yield* spin_lock_irqsave(q.lock);
  const skb = q.items.shift() ?? null;
  yield* spin_unlock_irqrestore(q.lock, flags);
  return skb;
}
/** skb_queue_purge() */
export function* skb_queue_purge(q: SkbQueue): KGen {
  for (let skb = yield* skb_dequeue(q); skb; skb = yield* skb_dequeue(q)) yield* kfree_skb(skb);
}
