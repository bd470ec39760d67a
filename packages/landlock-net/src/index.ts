// @k/landlock-net: Landlock network rulesets (BIND_TCP, CONNECT_TCP, and the
// RFC's LISTEN_TCP behind an option) exact to the errno, on a modelled socket
// layer. Seed 003. The one public door of the package.

// The machine and its threads (system calls under their kernel names).
export { Kernel, Task, capMask, checkPortAccess } from './internal/kernel';
export type { SpawnOptions, LandlockPathBeneathAttr } from './internal/kernel';
export { DEFAULT_KERNEL_OPTIONS } from './internal/kernel-state';
export type { KernelOptions, LandlockDenial } from './internal/kernel-state';

// User memory: structs and socket addresses as a C program lays them out.
export {
  ModelInputError, encodeRulesetAttr, encodeNetPortAttr, sockaddr_in, sockaddr_in6, sockaddr_un, htons, ntohs, parseIPv4,
  parseIPv6, formatIPv4, formatIPv6,
} from './internal/bytes';
export type { Endianness, LandlockRulesetAttr, LandlockNetPortAttr } from './internal/bytes';

// The UAPI: constants and what each emulated ABI looks like.
export {
  ABI, LANDLOCK_ABIS, RFC_LISTEN_TCP, NET_ACCESS_NAMES, CAP_NAMES,
  LANDLOCK_CREATE_RULESET_VERSION, LANDLOCK_CREATE_RULESET_ERRATA, LANDLOCK_RULE_PATH_BENEATH, LANDLOCK_RULE_NET_PORT,
  LANDLOCK_ACCESS_NET_BIND_TCP, LANDLOCK_ACCESS_NET_CONNECT_TCP, LANDLOCK_ACCESS_NET_LISTEN_TCP,
  LANDLOCK_ACCESS_FS_READ_DIR, LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, LANDLOCK_SCOPE_SIGNAL,
  LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF, LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON, LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF,
  LANDLOCK_MAX_NUM_LAYERS, LANDLOCK_RULESET_ATTR_SIZE, LANDLOCK_NET_PORT_ATTR_SIZE,
  AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6, SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_CLOEXEC, SOCK_NONBLOCK,
  IPPROTO_TCP, IPPROTO_UDP, CAP_NET_BIND_SERVICE, CAP_NET_ADMIN, CAP_SYS_ADMIN, PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS,
  SIN6_LEN_RFC2133, O_RDONLY, O_RDWR, O_DIRECTORY, O_CLOEXEC, O_NONBLOCK,
} from './internal/uapi';
export type { LandlockAbi, AbiDescription, NetAccessName, CapName } from './internal/uapi';

// Declarative policies and the access check of `k landlock check`.
export { parsePolicy, applyPolicy, checkAccess, PolicyError, CHECK_OPS, CHECK_PROTOS } from './internal/policy';
export type { Policy, PolicyLayer, PolicyRule, PolicyIssue, AccessDecision, CheckOptions, CheckOp, CheckProto } from './internal/policy';

// The conformance suite and the real-kernel oracle.
export { conformanceCases } from './internal/conformance/cases';
export { runCaseOnModel } from './internal/conformance/run-model';
export type { CaseRun } from './internal/conformance/run-model';
export { runConformanceSuite, RECORDED_KERNEL, kernelRunnable } from './internal/conformance/suite';
export type { SuiteRow, SuiteReport, SuiteOptions, GoldenRecord, Check } from './internal/conformance/suite';
export { prepareOracle, runCaseOnKernel, scriptFor } from './internal/conformance/oracle';
export type { Oracle, KernelRun } from './internal/conformance/oracle';
export { ORACLE_C_SOURCE } from './internal/conformance/oracle-c';
export type { ConformanceCase, Step, AddrSpec, FdRef, Outcome } from './internal/conformance/types';
