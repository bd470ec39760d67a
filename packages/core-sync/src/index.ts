// @k/core-sync: the kernel concurrency vocabulary on a deterministic runtime.
// The one public door of the package: every export is named here.

export {
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
  EIOCBQUEUED, ERECALLCONFLICT, EWOULDBLOCK, EDEADLOCK, MAX_ERRNO,
  ERRNO, errnoName, errnoNumber, IS_ERR_VALUE, ErrPtr, ERR_PTR, IS_ERR, PTR_ERR, KernelError,
} from './errno';
export type { ErrnoName } from './errno';
export { parseLitmus, LitmusSyntaxError, LITMUS_PRIMITIVES, runLitmus, formatHerdReport, litmusResultToJson, formatLitmusCondition, formatLitmusState, LitmusTimeoutError, explainLitmus, explainLitmusResult, judgeLitmusResult, parseLitmusResultComment, generateLitmusChain, expectedLitmusChainVerdict, type LitmusTest, type LitmusValue, type LitmusStateLoc, type LitmusProp, type LitmusCondition, type LitmusSourcePos, type LitmusResult, type LitmusJson, type LitmusObservation, type LitmusRunOptions, type LitmusFinalState, type LitmusExecution, type LitmusJudgement, type LitmusExpectedResult, type LitmusChainShape, type LitmusChainOptions } from './lkmm/index';
