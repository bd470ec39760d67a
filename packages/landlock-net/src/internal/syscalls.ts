// security/landlock/syscalls.c: sys_landlock_create_ruleset,
// sys_landlock_add_rule, sys_landlock_restrict_self, with their checks in the
// kernel's order (copy_min_struct_from_user, get_ruleset_from_fd,
// add_rule_net_port, add_rule_path_beneath). ABI 4 to 6 follow the code as
// first released with each ABI; ABI 7 follows v6.18 (the errata query,
// "attr or size with a flag" is -EINVAL, the LOG_* flags of restrict_self).
// Seed 003: the mini.* selftests (rule validation errors) run these paths.
import { E2BIG, EBADF, EBADFD, EFAULT, EINVAL, ENOMSG, EOPNOTSUPP, EPERM, IS_ERR, PTR_ERR } from '@k/core-sync';
import { readU64 } from './bytes';
import { landlock_append_net_rule, mask_access_net } from './net';
import type { landlock_ruleset } from './ruleset';
import { landlock_create_ruleset, landlock_get_net_access_mask, landlock_merge_ruleset } from './ruleset';
import type { file, TaskState } from './task';
import {
  ACCESS_FILE, CAP_SYS_ADMIN, FMODE_CAN_READ, FMODE_CAN_WRITE, FMODE_READ, FMODE_WRITE, LANDLOCK_CREATE_RULESET_ERRATA,
  LANDLOCK_CREATE_RULESET_VERSION, LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF, LANDLOCK_RULE_NET_PORT,
  LANDLOCK_RULE_PATH_BENEATH, O_CLOEXEC, O_RDWR,
} from './uapi';

/** include/asm-generic/page.h on x86-64 */
export const PAGE_SIZE = 4096;

/**
 * A user pointer: null is NULL, a Uint8Array is mapped user memory of that
 * length (reading past its end faults, -EFAULT).
 */
export type UserPtr = Uint8Array | null;

/** copy_struct_from_user() (include/linux/uaccess.h). */
function copy_struct_from_user(ksize: number, src: Uint8Array, usize: number): Uint8Array | number {
  const size = Math.min(ksize, usize);
  const dst = new Uint8Array(ksize);
  if (usize > ksize) {
    // check_zeroed_user(): the tail the kernel does not know must be zero.
    if (src.length < usize) return -EFAULT;
    for (let i = ksize; i < usize; i++) if (src[i] !== 0) return -E2BIG;
  }
  if (src.length < size) return -EFAULT;
  dst.set(src.subarray(0, size));
  return dst;
}

/** copy_min_struct_from_user(): the future-proof copy of a size-versioned struct. */
export function copy_min_struct_from_user(ksize: number, ksize_min: number, src: UserPtr, usize: number): Uint8Array | number {
  if (!src) return -EFAULT;
  if (usize < ksize_min) return -EINVAL;
  if (usize > PAGE_SIZE) return -E2BIG;
  return copy_struct_from_user(ksize, src, usize);
}

/** copy_from_user() of a fixed-size struct. */
function copy_from_user(src: UserPtr, n: number): Uint8Array | null {
  if (!src || src.length < n) return null;
  return src.slice(0, n);
}

/** sys_landlock_create_ruleset() */
export function sys_landlock_create_ruleset(task: TaskState, attr: UserPtr, size: number, flags: number): number {
  const k = task.kernel;
  if (!k.options.landlockEnabled) return -EOPNOTSUPP;
  flags >>>= 0;
  if (flags) {
    if (k.abi.hasErrataQuery) {
      if (attr || size) return -EINVAL;
      if (flags === LANDLOCK_CREATE_RULESET_VERSION) return k.abi.abi;
      if (flags === LANDLOCK_CREATE_RULESET_ERRATA) return k.abi.errata;
      return -EINVAL;
    }
    if (flags === LANDLOCK_CREATE_RULESET_VERSION && !attr && !size) return k.abi.abi;
    return -EINVAL;
  }
  // Copies raw user space buffer: at least handled_access_fs (offsetofend = 8).
  const copied = copy_min_struct_from_user(k.abi.rulesetAttrSize, 8, attr, size);
  if (typeof copied === 'number') return copied;
  const e = k.options.endianness;
  const handled_access_fs = readU64(copied, 0, e);
  const handled_access_net = readU64(copied, 8, e);
  const scoped = k.abi.rulesetAttrSize >= 24 ? readU64(copied, 16, e) : 0n;
  // Checks content (and 32-bits cast).
  if ((handled_access_fs | k.abi.maskAccessFs) !== k.abi.maskAccessFs) return -EINVAL;
  const maskNet = mask_access_net(task);
  if ((handled_access_net | maskNet) !== maskNet) return -EINVAL;
  if ((scoped | k.abi.maskScope) !== k.abi.maskScope) return -EINVAL;
  const ruleset = landlock_create_ruleset(handled_access_fs, Number(handled_access_net), Number(scoped));
  if (IS_ERR(ruleset)) return PTR_ERR(ruleset);
  // anon_inode_getfd("[landlock-ruleset]", &ruleset_fops, ruleset, O_RDWR | O_CLOEXEC)
  const f: file = {
    f_op: 'ruleset_fops',
    f_mode: FMODE_READ | FMODE_WRITE | FMODE_CAN_READ | FMODE_CAN_WRITE,
    f_flags: O_RDWR | O_CLOEXEC,
    private_data: ruleset,
    f_cred: task.cred,
    f_count: 1,
    release: () => {
      ruleset.usage--;
    },
  };
  return task.process.files.install(f);
}

/** get_ruleset_from_fd(): -EBADF, -EBADFD for a non-ruleset fd, -EPERM without @mode. */
function get_ruleset_from_fd(task: TaskState, fd: number, mode: number): landlock_ruleset | number {
  const f = task.process.files.fdget(fd);
  if (!f) return -EBADF;
  if (f.f_op !== 'ruleset_fops') return -EBADFD;
  if (!(f.f_mode & mode)) return -EPERM;
  const ruleset = f.private_data as landlock_ruleset;
  if (ruleset.num_layers !== 1) return -EINVAL;
  return ruleset;
}

/** add_rule_net_port() */
function add_rule_net_port(task: TaskState, ruleset: landlock_ruleset, rule_attr: UserPtr): number {
  const buf = copy_from_user(rule_attr, 16);
  if (!buf) return -EFAULT;
  const e = task.kernel.options.endianness;
  const allowed_access = readU64(buf, 0, e);
  const port = readU64(buf, 8, e);
  // Informs about useless rule: empty allowed_access (i.e. deny rules).
  if (!allowed_access) return -ENOMSG;
  // Checks that allowed_access matches the @ruleset constraints.
  const mask = BigInt(landlock_get_net_access_mask(ruleset, 0));
  if ((allowed_access | mask) !== mask) return -EINVAL;
  // Denies inserting a rule with port greater than 65535.
  if (port > 0xffffn) return -EINVAL;
  return landlock_append_net_rule(task, ruleset, Number(port), Number(allowed_access));
}

/**
 * add_rule_path_beneath(): validated as the kernel does; the model has no
 * filesystem to enforce, so an accepted rule is only counted.
 */
function add_rule_path_beneath(task: TaskState, ruleset: landlock_ruleset, rule_attr: UserPtr): number {
  const buf = copy_from_user(rule_attr, 12);
  if (!buf) return -EFAULT;
  const e = task.kernel.options.endianness;
  const allowed_access = readU64(buf, 0, e);
  const parent_fd = new DataView(buf.buffer, buf.byteOffset + 8, 4).getInt32(0, e === 'little');
  if (!allowed_access) return -ENOMSG;
  const mask = ruleset.access_masks[0]!.fs;
  if ((allowed_access | mask) !== mask) return -EINVAL;
  // get_path_from_fd(): ruleset fds and sockfs (an internal mount) are refused.
  const f = task.process.files.fdget(parent_fd);
  if (!f) return -EBADF;
  if (f.f_op !== 'regular') return -EBADFD;
  // landlock_append_fs_rule(): files only get access rights that make sense.
  if (!f.is_dir && (allowed_access | ACCESS_FILE) !== ACCESS_FILE) return -EINVAL;
  ruleset.num_rules++;
  return 0;
}

/** sys_landlock_add_rule() */
export function sys_landlock_add_rule(task: TaskState, ruleset_fd: number, rule_type: number, rule_attr: UserPtr, flags: number): number {
  if (!task.kernel.options.landlockEnabled) return -EOPNOTSUPP;
  // No flag for now.
  if (flags >>> 0) return -EINVAL;
  const ruleset = get_ruleset_from_fd(task, ruleset_fd, FMODE_CAN_WRITE);
  if (typeof ruleset === 'number') return ruleset;
  switch (rule_type) {
    case LANDLOCK_RULE_PATH_BENEATH:
      return add_rule_path_beneath(task, ruleset, rule_attr);
    case LANDLOCK_RULE_NET_PORT:
      return add_rule_net_port(task, ruleset, rule_attr);
    default:
      return -EINVAL;
  }
}

/**
 * sys_landlock_restrict_self(): the calling thread's new domain is a merge of
 * its current one and a copy of the ruleset's rules (landlock_merge_ruleset).
 */
export function sys_landlock_restrict_self(task: TaskState, ruleset_fd: number, flags: number): number {
  const k = task.kernel;
  if (!k.options.landlockEnabled) return -EOPNOTSUPP;
  // Similar checks as for seccomp(2), except that an -EPERM may be returned.
  if (!task.no_new_privs && !task.capable(CAP_SYS_ADMIN)) return -EPERM;
  flags >>>= 0;
  if ((flags | k.abi.maskRestrictSelf) !== k.abi.maskRestrictSelf) return -EINVAL;
  let ruleset: landlock_ruleset | null = null;
  // ABI 7: LOG_SUBDOMAINS_OFF alone may come with ruleset_fd -1.
  if (!(k.abi.abi >= 7 && ruleset_fd === -1 && flags === LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF)) {
    const r = get_ruleset_from_fd(task, ruleset_fd, FMODE_CAN_READ);
    if (typeof r === 'number') return r;
    ruleset = r;
  }
  // prepare_creds()
  const old = task.cred;
  const log_subdomains_off = old.landlock.log_subdomains_off || (flags & LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF) !== 0;
  if (!ruleset) {
    return task.commit_creds({ ...old, landlock: { ...old.landlock, log_subdomains_off } });
  }
  const new_dom = landlock_merge_ruleset(old.landlock.domain, ruleset);
  if (IS_ERR(new_dom)) return PTR_ERR(new_dom); // abort_creds()
  new_dom.log_same_exec = !(flags & 1);
  new_dom.log_new_exec = (flags & 2) !== 0;
  return task.commit_creds({ ...old, landlock: { domain: new_dom, log_subdomains_off } });
}
