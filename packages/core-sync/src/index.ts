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

// ---- the runtime: kernel code as generators -------------------------------------
export { Op, BLOCK_NONE, BLOCK_SPIN, BLOCK_SLEEP, A_NONE, A_READ, A_WRITE, A_RMW, A_SYNC, fmtNs } from './internal/rt/kernel';
export type { KGen, Thread, ThreadKind, TraceStep, Timing } from './internal/rt/kernel';
export { Violation, VIOLATION_KINDS, ModelUsageError, InternalBug } from './internal/rt/violation';
export type { ViolationKind } from './internal/rt/violation';

// ---- scenarios, exploration, replay ---------------------------------------------
export { defineScenario } from './explore/scenario';
export type { Scenario, Expectation, Verdict, ScenarioDefaults, DetectorOptions } from './explore/scenario';
export { World } from './explore/world';
export type { SpawnOptions, TaskHandle } from './explore/world';
export { explore, replay, ExploreError } from './explore/explore';
export type { ExploreOptions, ExploreReport, Counterexample, ReplayReport, Progress } from './explore/explore';
export { encodeSchedule, decodeSchedule, ScheduleFormatError } from './explore/schedule';
export type { StrategyName } from './explore/strategy';
export { renderTimeline } from './explore/timeline';
export { parseShard } from './explore/explore';
export type { Shard, ScenarioRef } from './explore/explore';
export { exploreParallel } from './explore/parallel';
export { pctGuarantee } from './explore/pct';
export type { PctGuarantee } from './explore/pct';
export type { DporStats } from './explore/dpor';
export type { ScheduleShape } from './explore/shrink';
export { chromeTrace } from './explore/chrome-trace';
export type { ChromeTrace, ChromeTraceInput, TraceEvent } from './explore/chrome-trace';
export { countTraces } from './explore/traces';
export type { TraceCount } from './explore/traces';

// ---- kernel primitives -------------------------------------------------------------
export {
  preempt_disable, preempt_enable, local_irq_save, local_irq_restore, local_irq_disable, local_irq_enable, local_bh_disable, local_bh_enable, cond_resched, in_interrupt, in_hardirq, in_irq, in_softirq, in_serving_softirq, in_task, in_atomic, irqs_disabled, preemptible, smp_processor_id, current, might_sleep,
} from './sync/context';
export type { irqflags_t } from './sync/context';
export {
  Cell, READ_ONCE, WRITE_ONCE, smp_store_release, smp_load_acquire, smp_mb, smp_wmb, smp_rmb, smp_mb__before_atomic, smp_mb__after_atomic, smp_mb__after_spinlock, mb, wmb, rmb, barrier,
} from './sync/cell';
export {
  GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT, __GFP_ZERO, __GFP_DIRECT_RECLAIM, kmalloc, kzalloc, kmalloc_static, kfree, kmemleak_not_leak, kmalloc_live, failslab,
} from './sync/alloc';
export type { gfp_t } from './sync/alloc';
export {
  SpinLock, spin_lock_init, DEFINE_SPINLOCK, spin_lock, spin_lock_nested, spin_unlock, spin_trylock, spin_lock_bh, spin_unlock_bh, spin_trylock_bh, spin_lock_irq, spin_unlock_irq, spin_lock_irqsave, spin_unlock_irqrestore, spin_is_locked, assert_spin_locked, Mutex, mutex_init, DEFINE_MUTEX, mutex_lock, mutex_lock_nested, mutex_lock_interruptible, mutex_unlock, mutex_trylock, mutex_is_locked, lockdep_assert_held, lockdep_is_held, lock_stat,
} from './sync/lock';
export type { LockStat, spinlock_t, mutex } from './sync/lock';
export {
  Atomic, Atomic64, ATOMIC_INIT, ATOMIC64_INIT, atomic_read, atomic_set, atomic_set_release, atomic_read_acquire, atomic_add, atomic_sub, atomic_inc, atomic_dec, atomic_or, atomic_and, atomic_add_return, atomic_add_return_relaxed, atomic_add_return_acquire, atomic_add_return_release, atomic_sub_return, atomic_inc_return, atomic_dec_return, atomic_fetch_add, atomic_fetch_add_relaxed, atomic_fetch_add_acquire, atomic_fetch_add_release, atomic_fetch_sub, atomic_fetch_or, atomic_fetch_and, atomic_inc_and_test, atomic_dec_and_test, atomic_sub_and_test, atomic_add_negative, atomic_xchg, atomic_xchg_relaxed, atomic_cmpxchg, atomic_cmpxchg_relaxed, atomic_cmpxchg_acquire, atomic_cmpxchg_release, atomic_add_unless, atomic_inc_not_zero, atomic_dec_if_positive, xchg, cmpxchg, BIT, set_bit, clear_bit, change_bit, test_bit, test_and_set_bit, test_and_clear_bit, test_and_change_bit, test_and_set_bit_lock, clear_bit_unlock, __set_bit, __clear_bit, find_next_bit, find_first_bit, Refcount, REFCOUNT_INIT, refcount_set, refcount_read, refcount_inc, refcount_add, refcount_inc_not_zero, refcount_dec_and_test, refcount_sub_and_test, refcount_dec, Kref, kref_init, kref_get, kref_get_unless_zero, kref_read, kref_put,
} from './sync/atomic';
export type { atomic_t, atomic64_t, atomic_long_t, refcount_t, kref } from './sync/atomic';
export {
  set_current_state, __set_current_state, schedule, wake_up_process, WaitQueueHead, init_waitqueue_head, DECLARE_WAIT_QUEUE_HEAD, prepare_to_wait, prepare_to_wait_exclusive, finish_wait, wake_up, wake_up_all, wake_up_interruptible, wake_up_interruptible_all, wait_event, wait_event_interruptible, wait_event_timeout, MAX_SCHEDULE_TIMEOUT, schedule_timeout, schedule_timeout_uninterruptible, Completion, init_completion, DECLARE_COMPLETION, reinit_completion, complete, complete_all, wait_for_completion, wait_for_completion_timeout, try_wait_for_completion, completion_done, TASK_RUNNING, TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE,
} from './sync/wait';
export type { task_struct, wait_queue_head_t, WaitCondition, completion } from './sync/wait';
export {
  NSEC_PER_USEC, NSEC_PER_MSEC, NSEC_PER_SEC, USEC_PER_SEC, MSEC_PER_SEC, MAX_JIFFY_OFFSET, HZ, TICK_NSEC, jiffies, msecs_to_jiffies, usecs_to_jiffies, nsecs_to_jiffies, jiffies_to_msecs, jiffies_to_usecs, time_after, time_before, time_after_eq, time_before_eq, ktime_get, ktime_get_ns, ndelay, udelay, mdelay, msleep, ssleep, usleep_range, fsleep, TimerList, TIMER_DEFERRABLE, TIMER_PINNED, TIMER_IRQSAFE, timer_setup, add_timer, mod_timer, timer_reduce, del_timer, timer_delete, del_timer_sync, timer_delete_sync, timer_pending, HRTIMER_NORESTART, HRTIMER_RESTART, HRTIMER_MODE_ABS, HRTIMER_MODE_REL, HRTIMER_MODE_SOFT, HRTIMER_MODE_REL_SOFT, HRTIMER_MODE_ABS_SOFT, CLOCK_MONOTONIC, Hrtimer, hrtimer_setup, hrtimer_start, hrtimer_forward_now, hrtimer_try_to_cancel, hrtimer_cancel, hrtimer_active,
} from './sync/time';
export type { TimerFn, timer_list, HrtimerFn, hrtimer } from './sync/time';
export {
  WQ_UNBOUND, WQ_FREEZABLE, WQ_MEM_RECLAIM, WQ_HIGHPRI, WQ_CPU_INTENSIVE, __WQ_ORDERED, WQ_MAX_ACTIVE, WQ_DFL_ACTIVE, WORK_CPU_UNBOUND, WorkStruct, DelayedWork, Workqueue, alloc_workqueue, alloc_ordered_workqueue, create_singlethread_workqueue, system_wq, system_highpri_wq, system_long_wq, system_unbound_wq, system_freezable_wq, INIT_WORK, INIT_DELAYED_WORK, container_of, to_delayed_work, queue_work_on, queue_work, schedule_work, queue_delayed_work_on, queue_delayed_work, schedule_delayed_work, mod_delayed_work_on, mod_delayed_work, cancel_delayed_work, cancel_work, cancel_work_sync, cancel_delayed_work_sync, flush_work, flush_delayed_work, flush_workqueue, drain_workqueue, destroy_workqueue, work_pending, delayed_work_pending, work_running,
} from './sync/workqueue';
export type { WorkFn, work_struct, delayed_work, workqueue_struct } from './sync/workqueue';
export {
  rcu_read_lock, rcu_read_unlock, rcu_read_lock_bh, rcu_read_unlock_bh, rcu_read_lock_sched, rcu_read_unlock_sched, rcu_read_lock_held, rcu_read_lock_bh_held, rcu_dereference, rcu_dereference_bh, rcu_dereference_check, rcu_dereference_protected, rcu_access_pointer, rcu_assign_pointer, RCU_INIT_POINTER, rcu_replace_pointer, synchronize_rcu, synchronize_rcu_expedited, synchronize_net, call_rcu, kfree_rcu, rcu_barrier, SrcuStruct, init_srcu_struct, srcu_read_lock, srcu_read_unlock, synchronize_srcu,
} from './sync/rcu';
export type { RcuHead, srcu_struct } from './sync/rcu';
export {
  IRQ_NONE, IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_SHARED, IRQF_ONESHOT, IRQF_NO_AUTOEN, IRQF_TRIGGER_RISING, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_HIGH, IRQF_TRIGGER_LOW, IRQ_SPURIOUS_LIMIT, IrqDesc, irq_to_desc, request_threaded_irq, request_irq, synchronize_irq, free_irq, disable_irq_nosync, disable_irq, enable_irq, irq_set_affinity, irq_set_irq_type, irq_raise, irq_set_level,
} from './sync/irq';
export type { irqreturn_t, IrqHandler } from './sync/irq';
export { TaskletStruct, tasklet_setup, tasklet_schedule, tasklet_hi_schedule, tasklet_kill, tasklet_disable, tasklet_enable } from './sync/tasklet';
export type { TaskletFn, tasklet_struct } from './sync/tasklet';
export {
  MODULE_STATE_LIVE, MODULE_STATE_COMING, MODULE_STATE_GOING, MODULE_STATE_UNFORMED, Module, THIS_MODULE, try_module_get, __module_get, module_put, module_refcount, delete_module,
} from './sync/module';
export type { module } from './sync/module';
export {
  BUG_ON, BUG, WARN_ON, WARN_ON_ONCE, WARN, kassert, choose, chance, trace_printk,
} from './sync/debug';

// ---- the Linux-kernel memory model: litmus tests, herd7-compatible --------------------
export {
  parseLitmus, LitmusSyntaxError, LITMUS_PRIMITIVES, runLitmus, formatHerdReport, litmusResultToJson, formatLitmusCondition,
  formatLitmusState, LitmusTimeoutError, explainLitmus, explainLitmusResult, judgeLitmusResult, parseLitmusResultComment,
  generateLitmusChain, expectedLitmusChainVerdict,
} from './lkmm/index';
export type {
  LitmusTest, LitmusValue, LitmusStateLoc, LitmusProp, LitmusCondition, LitmusSourcePos, LitmusResult, LitmusJson,
  LitmusObservation, LitmusRunOptions, LitmusFinalState, LitmusExecution, LitmusJudgement, LitmusExpectedResult,
  LitmusChainShape, LitmusChainOptions,
} from './lkmm/index';
