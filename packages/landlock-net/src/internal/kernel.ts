// The model's entry point: a Kernel (one machine, one network namespace, a
// Landlock ABI) and its Tasks, whose methods are the system calls under their
// kernel names, returning what the kernel returns (a value or -errno).
// Seed 003: everything the reviewed selftests call, from a process's view.
import { EBADF, EINVAL } from '@k/core-sync';
import {
  ModelInputError, encodeNetPortAttr, encodeRulesetAttr, htons, writeU64, type LandlockNetPortAttr, type LandlockRulesetAttr,
} from './bytes';
import { DEFAULT_KERNEL_OPTIONS, type KernelOptions, type KernelState, type LandlockDenial } from './kernel-state';
import { landlock_check_port } from './net';
import { NetNamespace } from './netns';
import { __sys_accept4, __sys_bind, __sys_connect, __sys_getsockname, __sys_listen, __sys_socket } from './socket';
import { sys_landlock_add_rule, sys_landlock_create_ruleset, sys_landlock_restrict_self } from './syscalls';
import { Process, TaskState, capset, files_struct, openPath, rootCred, type cred, type file } from './task';
import { ABI, CAP_NAMES, LANDLOCK_ABIS, NET_ACCESS_NAMES, PR_GET_NO_NEW_PRIVS, PR_SET_NO_NEW_PRIVS, type CapName, type NetAccessName } from './uapi';

/** struct landlock_path_beneath_attr (12 bytes, packed). */
export interface LandlockPathBeneathAttr {
  allowed_access: bigint | number;
  parent_fd: number;
}

function int32(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
    throw new ModelInputError(`${name} must be an int (a 32-bit signed integer), got ${String(v)}`);
  }
  return v;
}
function u32(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new ModelInputError(`${name} must be a __u32 (0..2^32-1), got ${String(v)}`);
  }
  return v;
}
function sizeT(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ModelInputError(`${name} must be a size_t (a non-negative integer), got ${String(v)}`);
  }
  return v;
}
function userBuf(name: string, v: unknown): Uint8Array | null {
  if (v === null || v instanceof Uint8Array) return v;
  throw new ModelInputError(`${name} must be user memory (a Uint8Array) or null (NULL)`);
}

/** Capabilities as a bit set: a list of names, or a raw mask. */
export function capMask(caps: readonly CapName[] | bigint): bigint {
  if (typeof caps === 'bigint') return caps;
  let m = 0n;
  for (const c of caps) {
    const bit = CAP_NAMES[c];
    if (bit === undefined) throw new ModelInputError(`unknown capability '${String(c)}' (known: ${Object.keys(CAP_NAMES).join(', ')})`);
    m |= 1n << BigInt(bit);
  }
  return m;
}

/** How a new process starts. */
export interface SpawnOptions {
  /** Effective (and, unless `permitted` is given, permitted) capabilities; default: all of root's. */
  readonly caps?: readonly CapName[] | bigint;
  /** Permitted capabilities (a thread may raise its effective set up to these). */
  readonly permitted?: readonly CapName[] | bigint;
  /** Start with no_new_privs set (as if after prctl(PR_SET_NO_NEW_PRIVS, 1)). */
  readonly no_new_privs?: boolean;
}

/**
 * A modelled machine: one network namespace with `lo` up, the Landlock ABI of
 * `options.abi` (4 to 7), virtual time. Create processes with {@link Kernel.spawn}.
 *
 * @example
 * const k = new Kernel({ abi: 7 });
 * const t = k.spawn({ caps: [] });
 * t.landlock_create_ruleset(null, 0, LANDLOCK_CREATE_RULESET_VERSION); // => 7
 */
export class Kernel implements KernelState {
  readonly options: KernelOptions;
  readonly abi;
  readonly netns: NetNamespace;
  readonly denials: LandlockDenial[] = [];
  private clock = 0;
  private nextTid = 1;

  constructor(options: Partial<KernelOptions> = {}) {
    const o = { ...DEFAULT_KERNEL_OPTIONS, ...options };
    if (!LANDLOCK_ABIS.includes(o.abi)) {
      throw new ModelInputError(`abi must be one of ${LANDLOCK_ABIS.join(', ')} (the ABIs with network rules), got ${String(o.abi)}`);
    }
    const [low, high] = o.ipLocalPortRange;
    if (!Number.isInteger(low) || !Number.isInteger(high) || low < 1 || high > 65535 || low > high) {
      throw new ModelInputError(`ipLocalPortRange must be [low, high] within 1..65535, got [${String(low)}, ${String(high)}]`);
    }
    if (o.endianness !== 'little' && o.endianness !== 'big') throw new ModelInputError(`endianness must be 'little' or 'big'`);
    if (!Number.isInteger(o.ipUnprivilegedPortStart) || o.ipUnprivilegedPortStart < 0 || o.ipUnprivilegedPortStart > 65536) {
      throw new ModelInputError('ipUnprivilegedPortStart must be an integer in 0..65536');
    }
    if (!Number.isInteger(o.somaxconn) || o.somaxconn < 0) throw new ModelInputError('somaxconn must be a non-negative integer');
    this.options = Object.freeze(o);
    this.abi = ABI[o.abi];
    this.netns = new NetNamespace(o.ipLocalPortRange, o.seed, () => this.clock);
  }

  now(): number {
    return this.clock;
  }

  /** Advances virtual time (TIME_WAIT buckets expire after 60 s). */
  advance(ns: number): void {
    if (!Number.isSafeInteger(ns) || ns < 0) throw new ModelInputError('advance() takes a non-negative integer of ns');
    this.clock += ns;
  }

  /** A new process with one thread, descriptors 0 to 2 open. */
  spawn(opts: SpawnOptions = {}): Task {
    const base = rootCred();
    const effective = opts.caps === undefined ? base.cap_effective : capMask(opts.caps);
    const permitted = opts.permitted === undefined ? (opts.caps === undefined ? base.cap_permitted : effective) : capMask(opts.permitted);
    if ((effective & ~permitted) !== 0n) throw new ModelInputError('effective capabilities must be a subset of the permitted ones');
    const files = new files_struct();
    const pid = this.nextTid;
    const process = new Process(pid, files);
    const c: cred = { ...base, cap_effective: effective, cap_permitted: permitted };
    for (let fd = 0; fd < 3; fd++) {
      const f: file = { f_op: 'regular', f_mode: 0x60003, f_flags: 2, private_data: null, f_cred: c, f_count: 1, path: '/dev/null', is_dir: false };
      files.install(f);
    }
    const t = new Task(this, this.nextTid++, process, c);
    t.no_new_privs = opts.no_new_privs ?? false;
    process.threads.push(t);
    return t;
  }

  /** @internal */
  allocTid(): number {
    return this.nextTid++;
  }
}

/**
 * A thread. Its methods are the system calls the model implements, named as
 * in the kernel, returning the kernel's value: a file descriptor or 0 on
 * success, -errno on failure (compare with the errno constants of @k/core-sync,
 * or name them with `errnoName`). Arguments that no C program could pass (a
 * fractional fd, a port above 65535 in a sockaddr) throw a ModelInputError.
 */
export class Task extends TaskState {
  declare readonly kernel: Kernel;

  /** clone(CLONE_THREAD | CLONE_FILES ...): a thread sharing the fd table, with a copy of this thread's credentials. */
  clone_thread(): Task {
    const t = new Task(this.kernel, this.kernel.allocTid(), this.process, this.cred);
    t.no_new_privs = this.no_new_privs;
    this.process.threads.push(t);
    return t;
  }

  /** fork(): a new process with a copy of the fd table; the child inherits this thread's domain. */
  fork(): Task {
    const tid = this.kernel.allocTid();
    const child = new Process(tid, this.process.files.dup());
    const t = new Task(this.kernel, tid, child, this.cred);
    t.no_new_privs = this.no_new_privs;
    child.threads.push(t);
    return t;
  }

  /** prctl(2): PR_SET_NO_NEW_PRIVS / PR_GET_NO_NEW_PRIVS. */
  prctl(option: number, arg2 = 0): number {
    int32('option', option);
    if (option === PR_SET_NO_NEW_PRIVS) {
      if (arg2 !== 1) return -EINVAL;
      this.no_new_privs = true;
      return 0;
    }
    if (option === PR_GET_NO_NEW_PRIVS) return this.no_new_privs ? 1 : 0;
    return -EINVAL;
  }

  /** capset(2) for this thread: sets may only shrink (or effective grow within permitted). */
  capset(effective: readonly CapName[] | bigint, permitted?: readonly CapName[] | bigint): number {
    return capset(this, capMask(effective), permitted === undefined ? this.cred.cap_permitted : capMask(permitted));
  }

  /** landlock_create_ruleset(2). A struct is laid out in user memory as the UAPI does; pass bytes to test sizes and tails. */
  landlock_create_ruleset(attr: LandlockRulesetAttr | Uint8Array | null, size: number, flags: number): number {
    const mem = attr === null || attr instanceof Uint8Array ? attr : encodeRulesetAttr(attr, this.kernel.options.endianness);
    return sys_landlock_create_ruleset(this, userBuf('attr', mem), sizeT('size', size), u32('flags', flags));
  }

  /** landlock_add_rule(2) with a struct landlock_net_port_attr / landlock_path_beneath_attr, or raw bytes. */
  landlock_add_rule(
    ruleset_fd: number,
    rule_type: number,
    rule_attr: LandlockNetPortAttr | LandlockPathBeneathAttr | Uint8Array | null,
    flags: number,
  ): number {
    let mem: Uint8Array | null;
    const e = this.kernel.options.endianness;
    if (rule_attr === null || rule_attr instanceof Uint8Array) mem = rule_attr;
    else if ('parent_fd' in rule_attr) {
      mem = new Uint8Array(12);
      writeU64(mem, 0, BigInt(rule_attr.allowed_access), e);
      new DataView(mem.buffer).setInt32(8, int32('parent_fd', rule_attr.parent_fd), e === 'little');
    } else mem = encodeNetPortAttr(rule_attr, e);
    return sys_landlock_add_rule(this, int32('ruleset_fd', ruleset_fd), int32('rule_type', rule_type), userBuf('rule_attr', mem), u32('flags', flags));
  }

  /** landlock_restrict_self(2): only this thread's credentials change. */
  landlock_restrict_self(ruleset_fd: number, flags: number): number {
    return sys_landlock_restrict_self(this, int32('ruleset_fd', ruleset_fd), u32('flags', flags));
  }

  socket(family: number, type: number, protocol: number): number {
    return __sys_socket(this, int32('family', family), int32('type', type), int32('protocol', protocol));
  }

  bind(fd: number, addr: Uint8Array | null, addrlen: number): number {
    return __sys_bind(this, int32('fd', fd), userBuf('addr', addr), int32('addrlen', addrlen));
  }

  connect(fd: number, addr: Uint8Array | null, addrlen: number): number {
    return __sys_connect(this, int32('fd', fd), userBuf('addr', addr), int32('addrlen', addrlen));
  }

  listen(fd: number, backlog: number): number {
    return __sys_listen(this, int32('fd', fd), int32('backlog', backlog));
  }

  /** accept4(2) without the peer address. */
  accept(fd: number, flags = 0): number {
    return __sys_accept4(this, int32('fd', fd), int32('flags', flags));
  }

  /** getsockname(2): the local address bytes, or -errno. */
  getsockname(fd: number): Uint8Array | number {
    return __sys_getsockname(this, int32('fd', fd));
  }

  close(fd: number): number {
    return this.process.files.close(int32('fd', fd));
  }

  /** dup(2) */
  dup(fd: number): number {
    const f = this.process.files.fdget(int32('fd', fd));
    if (!f) return -EBADF;
    f.f_count++;
    const nfd = this.process.files.install(f);
    if (nfd < 0) f.f_count--;
    return nfd;
  }

  /** open(2) of a path the model knows as a plain file (and /proc/self/fd/N). */
  open(path: string, flags: number): number {
    if (typeof path !== 'string' || path === '') throw new ModelInputError('path must be a non-empty string');
    return openPath(this, path, int32('flags', flags));
  }
}

const HOOK_OF = { bind_tcp: 'socket_bind', connect_tcp: 'socket_connect', listen_tcp: 'socket_listen' } as const;

/**
 * Landlock's decision for @task on a TCP port, without a socket: the check
 * hook_socket_bind / hook_socket_connect (or the RFC's hook_socket_listen)
 * make once the address is validated. 0 when allowed, -EACCES when denied
 * (and recorded in `kernel.denials`).
 *
 * @example
 * checkPortAccess(t, 'connect_tcp', 443); // => -13 (EACCES) if a layer handles connect_tcp without a rule for 443
 */
export function checkPortAccess(task: Task, access: NetAccessName, port: number): number {
  const bit = NET_ACCESS_NAMES.indexOf(access);
  if (bit < 0) throw new ModelInputError(`access must be one of ${NET_ACCESS_NAMES.join(', ')}, got '${String(access)}'`);
  if (access === 'listen_tcp' && !task.kernel.options.rfcListenTcp) {
    throw new ModelInputError("listen_tcp exists only on a kernel created with rfcListenTcp: true (the RFC's right, never merged)");
  }
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new ModelInputError(`port must be 0..65535, got ${String(port)}`);
  return landlock_check_port(task, 1 << bit, htons(port, task.kernel.options.endianness), HOOK_OF[access]);
}
