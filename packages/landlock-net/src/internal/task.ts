// Tasks, credentials and file descriptors as far as Landlock sees them:
// include/linux/cred.h (prepare_creds / commit_creds: credentials are per
// thread and immutable once committed), security/landlock/cred.h
// (struct landlock_cred_security), fs/file.c (the fd table a process's
// threads share), fs/anon_inodes.c (a ruleset fd is an anonymous inode opened
// O_RDWR). Seed 003 runs every test in a forked child that inherits these.
import { EBADF, EMFILE, ENOENT, ENXIO, EPERM } from '@k/core-sync';
import type { KernelState } from './kernel-state';
import type { landlock_ruleset } from './ruleset';
import type { socket } from './socket-types';
import { CAP_FULL_SET, FMODE_CAN_READ, FMODE_CAN_WRITE, FMODE_READ, FMODE_WRITE, O_ACCMODE, O_DIRECTORY, O_RDONLY, O_RDWR, O_WRONLY } from './uapi';

/** struct landlock_cred_security */
export interface landlock_cred_security {
  readonly domain: landlock_ruleset | null;
  /** ABI 7: LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF was set on this thread. */
  readonly log_subdomains_off: boolean;
}

/** struct cred: committed credentials never change; a change commits a new object. */
export interface cred {
  readonly cap_effective: bigint;
  readonly cap_permitted: bigint;
  readonly landlock: landlock_cred_security;
}

/** The kind of object a file refers to (file->f_op in the kernel). */
export type FileOps = 'ruleset_fops' | 'socket_file_ops' | 'regular';

/** struct file */
export interface file {
  readonly f_op: FileOps;
  f_mode: number;
  f_flags: number;
  readonly private_data: landlock_ruleset | socket | null;
  /** The credentials of the opener (file->f_cred). */
  readonly f_cred: cred;
  f_count: number;
  /** For 'regular' files: the path it was opened with. */
  readonly path?: string;
  /** For 'regular' files: d_is_dir(). */
  readonly is_dir?: boolean;
  /** Called on the last fput(). */
  release?: () => void;
}

/** RLIMIT_NOFILE's usual soft limit. */
export const NR_OPEN_DEFAULT = 1024;

/** struct files_struct: one per process, shared by its threads. */
export class files_struct {
  readonly fdt = new Map<number, file>();
  constructor(readonly max_fds = NR_OPEN_DEFAULT) {}

  /** fdget(): the file or null (-EBADF at the caller). */
  fdget(fd: number): file | null {
    if (!Number.isInteger(fd) || fd < 0) return null;
    return this.fdt.get(fd) ?? null;
  }

  /** get_unused_fd_flags() + fd_install(): the lowest free descriptor. */
  install(f: file): number {
    for (let fd = 0; fd < this.max_fds; fd++) {
      if (!this.fdt.has(fd)) {
        this.fdt.set(fd, f);
        return fd;
      }
    }
    return -EMFILE;
  }

  /** close_fd() */
  close(fd: number): number {
    const f = this.fdget(fd);
    if (!f) return -EBADF;
    this.fdt.delete(fd);
    fput(f);
    return 0;
  }

  /** dup_fd(): a forked child's copy, sharing the open files. */
  dup(): files_struct {
    const copy = new files_struct(this.max_fds);
    for (const [fd, f] of this.fdt) {
      f.f_count++;
      copy.fdt.set(fd, f);
    }
    return copy;
  }
}

export function fput(f: file): void {
  f.f_count--;
  if (f.f_count === 0) f.release?.();
}

/** The f_mode an open() with these flags gets (fs/open.c: do_dentry_open). */
export function fmode_from_flags(flags: number): number {
  const acc = flags & O_ACCMODE;
  let mode = 0;
  if (acc === O_RDONLY || acc === O_RDWR) mode |= FMODE_READ | FMODE_CAN_READ;
  if (acc === O_WRONLY || acc === O_RDWR) mode |= FMODE_WRITE | FMODE_CAN_WRITE;
  return mode;
}

/** A process: its pid and its fd table. */
export class Process {
  readonly threads: TaskState[] = [];
  constructor(
    readonly pid: number,
    readonly files: files_struct,
  ) {}
}

/**
 * A task (thread). Credentials are per thread: landlock_restrict_self()
 * replaces this thread's `cred` only; the other threads of the process keep
 * the domain they had (security/landlock/syscalls.c: "There is no possible
 * race condition while copying and manipulating the current credentials
 * because they are dedicated per thread").
 */
export class TaskState {
  /** task->atomic_flags PFA_NO_NEW_PRIVS; inherited by clone/fork, never cleared. */
  no_new_privs = false;
  constructor(
    readonly kernel: KernelState,
    readonly tid: number,
    readonly process: Process,
    public cred: cred,
  ) {}

  /** prepare_creds() + commit_creds(): the new credentials replace this thread's. */
  commit_creds(next: cred): number {
    this.cred = next;
    return 0;
  }

  /** ns_capable(): the model has one user namespace. */
  capable(cap: number): boolean {
    return (this.cred.cap_effective & (1n << BigInt(cap))) !== 0n;
  }
}

export function rootCred(): cred {
  return { cap_effective: CAP_FULL_SET, cap_permitted: CAP_FULL_SET, landlock: { domain: null, log_subdomains_off: false } };
}

/** capset(2) with the rule that a thread can only lower its sets (no CAP_SETPCAP games). */
export function capset(task: TaskState, effective: bigint, permitted: bigint): number {
  const c = task.cred;
  if ((permitted & ~c.cap_permitted) !== 0n) return -EPERM;
  if ((effective & ~permitted) !== 0n) return -EPERM;
  return task.commit_creds({ ...c, cap_effective: effective, cap_permitted: permitted });
}

/** open(2) of a path; /proc/self/fd/N re-opens N, which fails on an anonymous inode as it does on v6.18. */
export function openPath(task: TaskState, path: string, flags: number): number {
  const m = /^\/proc\/(?:self|thread-self)\/fd\/(\d+)$/.exec(path);
  if (m) {
    const target = task.process.files.fdget(Number(m[1]));
    if (!target) return -ENOENT;
    // Anonymous inodes (ruleset fds) and sockets cannot be re-opened.
    if (target.f_op !== 'regular') return -ENXIO;
  }
  const is_dir = (flags & O_DIRECTORY) !== 0 || path.endsWith('/') || KNOWN_DIRECTORIES.has(path);
  const f: file = { f_op: 'regular', f_mode: fmode_from_flags(flags), f_flags: flags, private_data: null, f_cred: task.cred, f_count: 1, path, is_dir };
  return task.process.files.install(f);
}

/** The model has no filesystem: these paths (and any opened with O_DIRECTORY) are directories. */
const KNOWN_DIRECTORIES = new Set(['/', '/dev', '/tmp', '/proc', '/sys', '/etc', '/usr', '/var', '/home', '/root', '/run']);
