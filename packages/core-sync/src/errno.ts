// The kernel's errno numbers: include/uapi/asm-generic/errno-base.h,
// include/uapi/asm-generic/errno.h and the kernel-internal include/linux/errno.h.
// Model functions return them negated, as the kernel does (`return -EBUSY;`).

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const ENOEXEC = 8;
export const EBADF = 9;
export const ECHILD = 10;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const ENOTBLK = 15;
export const EBUSY = 16;
export const EEXIST = 17;
export const EXDEV = 18;
export const ENODEV = 19;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const ENFILE = 23;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ETXTBSY = 26;
export const EFBIG = 27;
export const ENOSPC = 28;
export const ESPIPE = 29;
export const EROFS = 30;
export const EMLINK = 31;
export const EPIPE = 32;
export const EDOM = 33;
export const ERANGE = 34;
export const EDEADLK = 35;
export const ENAMETOOLONG = 36;
export const ENOLCK = 37;
export const ENOSYS = 38;
export const ENOTEMPTY = 39;
export const ELOOP = 40;
export const ENOMSG = 42;
export const EIDRM = 43;
export const ENOSTR = 60;
export const ENODATA = 61;
export const ETIME = 62;
export const ENOSR = 63;
export const ENOLINK = 67;
export const EPROTO = 71;
export const EBADMSG = 74;
export const EOVERFLOW = 75;
export const EBADFD = 77;
export const EILSEQ = 84;
export const EUSERS = 87;
export const ENOTSOCK = 88;
export const EDESTADDRREQ = 89;
export const EMSGSIZE = 90;
export const EPROTOTYPE = 91;
export const ENOPROTOOPT = 92;
export const EPROTONOSUPPORT = 93;
export const ESOCKTNOSUPPORT = 94;
export const EOPNOTSUPP = 95;
export const EPFNOSUPPORT = 96;
export const EAFNOSUPPORT = 97;
export const EADDRINUSE = 98;
export const EADDRNOTAVAIL = 99;
export const ENETDOWN = 100;
export const ENETUNREACH = 101;
export const ENETRESET = 102;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const ENOBUFS = 105;
export const EISCONN = 106;
export const ENOTCONN = 107;
export const ESHUTDOWN = 108;
export const ETOOMANYREFS = 109;
export const ETIMEDOUT = 110;
export const ECONNREFUSED = 111;
export const EHOSTDOWN = 112;
export const EHOSTUNREACH = 113;
export const EALREADY = 114;
export const EINPROGRESS = 115;
export const ESTALE = 116;
export const EUCLEAN = 117;
export const EREMOTEIO = 121;
export const EDQUOT = 122;
export const ENOMEDIUM = 123;
export const ECANCELED = 125;
export const ENOKEY = 126;
export const EKEYEXPIRED = 127;
export const EKEYREVOKED = 128;
export const EKEYREJECTED = 129;
export const EOWNERDEAD = 130;
export const ENOTRECOVERABLE = 131;
export const ERFKILL = 132;
export const EHWPOISON = 133;
// kernel-internal (include/linux/errno.h): never seen by user space
export const ERESTARTSYS = 512;
export const ERESTARTNOINTR = 513;
export const ERESTARTNOHAND = 514;
export const ENOIOCTLCMD = 515;
export const ERESTART_RESTARTBLOCK = 516;
export const EPROBE_DEFER = 517;
export const EOPENSTALE = 518;
export const ENOPARAM = 519;
export const EBADHANDLE = 521;
export const ENOTSYNC = 522;
export const EBADCOOKIE = 523;
export const ENOTSUPP = 524;
export const ETOOSMALL = 525;
export const ESERVERFAULT = 526;
export const EBADTYPE = 527;
export const EJUKEBOX = 528;
export const EIOCBQUEUED = 529;
export const ERECALLCONFLICT = 530;
/** aliases the kernel defines */
export const EWOULDBLOCK = EAGAIN;
export const EDEADLOCK = EDEADLK;

/** Every errno by name, with the kernel's number. */
export const ERRNO = {
  EPERM, ENOENT, ESRCH, EINTR, EIO, ENXIO, E2BIG, ENOEXEC, EBADF, ECHILD, EAGAIN, ENOMEM, EACCES,
  EFAULT, ENOTBLK, EBUSY, EEXIST, EXDEV, ENODEV, ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, ENOTTY,
  ETXTBSY, EFBIG, ENOSPC, ESPIPE, EROFS, EMLINK, EPIPE, EDOM, ERANGE, EDEADLK, ENAMETOOLONG, ENOLCK,
  ENOSYS, ENOTEMPTY, ELOOP, ENOMSG, EIDRM, ENOSTR, ENODATA, ETIME, ENOSR, ENOLINK, EPROTO, EBADMSG,
  EOVERFLOW, EBADFD, EILSEQ, EUSERS, ENOTSOCK, EDESTADDRREQ, EMSGSIZE, EPROTOTYPE, ENOPROTOOPT,
  EPROTONOSUPPORT, ESOCKTNOSUPPORT, EOPNOTSUPP, EPFNOSUPPORT, EAFNOSUPPORT, EADDRINUSE,
  EADDRNOTAVAIL, ENETDOWN, ENETUNREACH, ENETRESET, ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN,
  ENOTCONN, ESHUTDOWN, ETOOMANYREFS, ETIMEDOUT, ECONNREFUSED, EHOSTDOWN, EHOSTUNREACH, EALREADY,
  EINPROGRESS, ESTALE, EUCLEAN, EREMOTEIO, EDQUOT, ENOMEDIUM, ECANCELED, ENOKEY, EKEYEXPIRED,
  EKEYREVOKED, EKEYREJECTED, EOWNERDEAD, ENOTRECOVERABLE, ERFKILL, EHWPOISON, ERESTARTSYS,
  ERESTARTNOINTR, ERESTARTNOHAND, ENOIOCTLCMD, ERESTART_RESTARTBLOCK, EPROBE_DEFER, EOPENSTALE,
  ENOPARAM, EBADHANDLE, ENOTSYNC, EBADCOOKIE, ENOTSUPP, ETOOSMALL, ESERVERFAULT, EBADTYPE, EJUKEBOX,
  EIOCBQUEUED, ERECALLCONFLICT,
} as const;

export type ErrnoName = keyof typeof ERRNO;

const BY_NUMBER = new Map<number, ErrnoName>();
for (const [name, n] of Object.entries(ERRNO) as [ErrnoName, number][]) BY_NUMBER.set(n, name);

/**
 * The errno name of a kernel return value: `errnoName(-EBUSY) === 'EBUSY'`.
 * Accepts the positive or the negated number; undefined for 0 and unknown numbers.
 */
export function errnoName(value: number): ErrnoName | undefined {
  return BY_NUMBER.get(Math.abs(value));
}

/** The number of an errno name: `errnoNumber('EACCES') === 13`. */
export function errnoNumber(name: ErrnoName): number {
  return ERRNO[name];
}

/** True for a negated errno as the kernel returns it (`-MAX_ERRNO <= v < 0`). */
export function IS_ERR_VALUE(value: number): boolean {
  return Number.isInteger(value) && value < 0 && value >= -MAX_ERRNO;
}

/** include/linux/err.h */
export const MAX_ERRNO = 4095;

/**
 * A pointer-or-error, as `ERR_PTR(-ENOMEM)` is in the kernel: model functions
 * that return a pointer in C return `T | ErrPtr` here.
 */
export class ErrPtr {
  constructor(readonly errno: number) {}
  toString(): string {
    return `ERR_PTR(-${errnoName(this.errno) ?? -this.errno})`;
  }
}

export function ERR_PTR(error: number): ErrPtr {
  if (!IS_ERR_VALUE(error)) throw new RangeError(`ERR_PTR(${error}): not a negative errno`);
  return new ErrPtr(error);
}

export function IS_ERR<T>(ptr: T | ErrPtr): ptr is ErrPtr {
  return ptr instanceof ErrPtr;
}

export function PTR_ERR(ptr: ErrPtr): number {
  return ptr.errno;
}

/**
 * The typed error that public TypeScript APIs throw where the kernel would
 * return an errno; `errno` is the name (`'EACCES'`), as JSON output shows it.
 */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  readonly errno: ErrnoName;
  constructor(errno: ErrnoName | number, message?: string) {
    const name = typeof errno === 'number' ? errnoName(errno) : errno;
    if (!name) throw new RangeError(`KernelError: unknown errno ${String(errno)}`);
    super(message ? `${name}: ${message}` : name);
    this.errno = name;
  }
  /** The kernel's (negated) return value for this error. */
  get ret(): number {
    return -ERRNO[this.errno];
  }
}
