// @k/landlock-net/scenarios: the concurrency of Landlock's network rules, as
// checked scenarios for `k check` (issue 10, seed 003). Each system call runs
// on the @k/landlock-net model at one scheduling point; the shared state the
// kernel synchronises (a thread's cred pointer, a ruleset's rule tree under
// ruleset->lock) is declared to the explorer with Cells and a Mutex, as
// security/landlock/syscalls.c, ruleset.c and kernel/cred.c access it:
//  - commit_creds() publishes task->cred with rcu_assign_pointer(); the hooks
//    read the calling thread's own cred with current_cred(), a plain load;
//  - landlock_append_net_rule() inserts under ruleset->lock; merge_ruleset()
//    copies the rules into the new domain under the same lock; the access
//    check walks the domain's own tree, which nothing writes again.
import {
  Cell, DEFINE_MUTEX, EACCES, defineScenario, kassert, mutex_lock, mutex_unlock, rcu_assign_pointer, type KGen, type Scenario,
} from '@k/core-sync';
import { sockaddr_in } from './internal/bytes';
import { Kernel, type Task } from './internal/kernel';
import { landlock_merge_ruleset, type landlock_ruleset } from './internal/ruleset';
import type { cred } from './internal/task';
import { AF_INET, LANDLOCK_ACCESS_NET_BIND_TCP, LANDLOCK_ACCESS_NET_CONNECT_TCP, LANDLOCK_RULE_NET_PORT, PR_SET_NO_NEW_PRIVS, SOCK_STREAM } from './internal/uapi';

const BOTH = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
const lo = (port: number) => sockaddr_in({ port, addr: '127.0.0.1' });

/** A process of the model with two threads, no capability, and a ruleset fd. */
function twoThreads(handled: bigint): { kern: Kernel; a: Task; b: Task; fd: number } {
  const kern = new Kernel({ abi: 7 });
  const a = kern.spawn({ caps: [] });
  const b = a.clone_thread();
  a.prctl(PR_SET_NO_NEW_PRIVS, 1);
  b.prctl(PR_SET_NO_NEW_PRIVS, 1);
  const fd = a.landlock_create_ruleset({ handled_access_net: handled }, 24, 0);
  return { kern, a, b, fd };
}

/**
 * landlock_restrict_self() in one thread while another thread of the same
 * process binds and connects. The kernel's credentials are per thread: the
 * other thread keeps the domain it had (none), whatever the interleaving.
 * `process-wide` keeps one cred for the whole process (a design the kernel
 * does not have): the other thread's bind then races with the commit and may
 * be denied.
 */
export const restrictSelfVsBind = defineScenario({
  name: 'restrict-self-vs-bind',
  description: 'one thread calls landlock_restrict_self() while another thread of the process binds and connects',
  variants: {
    'per-thread': { expect: 'holds', why: 'commit_creds() replaces the calling thread\'s cred only: the other thread keeps its domain' },
    'process-wide': {
      expect: 'fails',
      kinds: ['data-race', 'assertion'],
      why: 'a domain committed to a process-wide cred reaches the other thread in the middle of its work',
    },
  },
  defaults: { budget: 300 },
  setup(k, v) {
    const { a, b, fd } = twoThreads(BOTH);
    // A server on port 8443, outside the sandbox (another process).
    const srv = a.fork();
    const l = srv.socket(AF_INET, SOCK_STREAM, 0);
    srv.bind(l, lo(8443), 16);
    srv.listen(l, 8);
    const credA = new Cell<cred>(a.cred, 'A->cred');
    const credB = v === 'per-thread' ? new Cell<cred>(b.cred, 'B->cred') : credA;
    let bound = 1;
    let connected = 1;
    k.spawn('A: landlock_restrict_self', function* (): KGen {
      // prepare_creds() copies current_cred(); the model merges a copy of the ruleset.
      a.cred = yield* credA.read();
      kassert(a.landlock_restrict_self(fd, 0) === 0, 'landlock_restrict_self() succeeds');
      // commit_creds(): rcu_assign_pointer(task->cred, new)
      yield* rcu_assign_pointer(credA, a.cred);
      const s = a.socket(AF_INET, SOCK_STREAM, 0);
      kassert(a.bind(s, lo(8080), 16) === -EACCES, 'the restricted thread is denied bind_tcp on 8080');
    });
    k.spawn('B: bind + connect', function* (): KGen {
      const s = b.socket(AF_INET, SOCK_STREAM, 0);
      // hook_socket_bind(): current_cred() is B's own cred pointer.
      b.cred = yield* credB.read();
      bound = b.bind(s, lo(8080), 16);
      b.cred = yield* credB.read();
      connected = b.connect(s, lo(8443), 16);
      kassert(bound === 0 && connected === 0, `B keeps its domain: bind ${bound}, connect ${connected}`);
    });
    k.outcome(() => `bind=${bound} connect=${connected}`);
  },
}) as Scenario;

/**
 * landlock_add_rule() in one thread racing with landlock_restrict_self() (and
 * then bind) in another, on the same ruleset fd. The kernel copies the rules
 * into the new domain under ruleset->lock: the rule is in the domain or not,
 * once and for all, and two binds after the restriction agree. `reference`
 * makes the domain share the ruleset's rule tree instead of copying it: a rule
 * added after the restriction then changes an enforced domain, and the access
 * check reads the tree without the lock the writer holds.
 */
export const addRuleVsRestrict = defineScenario({
  name: 'add-rule-vs-restrict',
  description: 'a thread adds a rule to a ruleset while another thread enforces it and binds',
  variants: {
    copy: { expect: 'holds', why: 'landlock_merge_ruleset() copies the rules under ruleset->lock: later rules never reach the domain' },
    reference: {
      expect: 'fails',
      kinds: ['data-race', 'assertion'],
      why: 'a domain that references the ruleset\'s rules changes after landlock_restrict_self() returned',
    },
  },
  defaults: { budget: 300 },
  setup(k, v) {
    const { a, b, fd } = twoThreads(LANDLOCK_ACCESS_NET_BIND_TCP);
    const lock = DEFINE_MUTEX('ruleset->lock');
    const tree = new Cell(0, 'ruleset->root_net_port');
    const results: number[] = [];
    k.spawn('A: landlock_add_rule', function* (): KGen {
      // landlock_append_net_rule(): mutex_lock(&ruleset->lock); landlock_insert_rule(); mutex_unlock()
      yield* mutex_lock(lock);
      yield* tree.write(tree.peek() + 1);
      kassert(a.landlock_add_rule(fd, LANDLOCK_RULE_NET_PORT, { allowed_access: LANDLOCK_ACCESS_NET_BIND_TCP, port: 8080 }, 0) === 0, 'the rule is added');
      yield* mutex_unlock(lock);
    });
    k.spawn('B: landlock_restrict_self + bind', function* (): KGen {
      // merge_ruleset(): mutex_lock(&src->lock) while the rules are copied into the new domain.
      yield* mutex_lock(lock);
      yield* tree.read();
      kassert(b.landlock_restrict_self(fd, 0) === 0, 'landlock_restrict_self() succeeds');
      const domainTree = v === 'copy' ? new Cell(tree.peek(), 'domain->root_net_port') : tree;
      yield* mutex_unlock(lock);
      const ruleset = b.process.files.fdget(fd)!.private_data as landlock_ruleset;
      for (let i = 0; i < 2; i++) {
        // hook_socket_bind() -> landlock_find_rule(): walks the domain's tree.
        yield* domainTree.read();
        if (v === 'reference') {
          // The bug: the domain is the ruleset as it is now, not as it was at restrict time.
          const dom = landlock_merge_ruleset(null, ruleset) as landlock_ruleset;
          b.cred = { ...b.cred, landlock: { ...b.cred.landlock, domain: dom } };
        }
        const sk = b.socket(AF_INET, SOCK_STREAM, 0);
        results.push(b.bind(sk, lo(8080), 16));
        b.close(sk);
      }
      kassert(results[0] === results[1], `an enforced domain never changes: binds returned ${results.join(' then ')}`);
    });
    k.outcome(() => results.join(','));
  },
}) as Scenario;

/** What `k check` runs for @k/landlock-net. */
export const scenarios: readonly Scenario[] = [restrictSelfVsBind, addRuleVsRestrict];
