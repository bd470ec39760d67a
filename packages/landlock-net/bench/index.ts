// Benchmarks of @k/landlock-net (run the built package: `npx nx run @k/landlock-net:bench`).
//  - access-checks-per-sec: Landlock's decision for a thread whose domain has
//    16 layers of 1,000 port rules each, on ports every layer has a rule for
//    (the worst case: the rule's 16 layers are all walked); peer: a direct
//    reference implementation of the same rule (per-layer Map lookups).
//  - connect-denials-per-sec: whole connect(2) calls denied by that domain
//    (sockaddr copy, family/length checks, the hook).
//  - rule-insertions-per-sec: landlock_add_rule(2) of 16,000 rules.
import {
  AF_INET, Kernel, LANDLOCK_ACCESS_NET_BIND_TCP, LANDLOCK_ACCESS_NET_CONNECT_TCP, LANDLOCK_RULE_NET_PORT, PR_SET_NO_NEW_PRIVS,
  SOCK_STREAM, checkPortAccess, sockaddr_in,
} from '@k/landlock-net';

const LAYERS = 16;
const RULES = 1000;
const BASE = 10000;
const BOTH = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;

function bench(name: string, unit: string, ops: number, fn: () => void): number {
  fn(); // warm-up
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    fn();
    rounds.push(ops / ((performance.now() - t0) / 1000));
  }
  rounds.sort((a, b) => a - b);
  const median = Math.round(rounds[2]!);
  console.log(`BENCH @k/landlock-net ${name} ${median} ${unit}`);
  return median;
}

const k = new Kernel();
const t = k.spawn();
t.prctl(PR_SET_NO_NEW_PRIVS, 1);
let inserted = 0;
const insertRate = bench('rule-insertions-per-sec', 'rules/s', LAYERS * RULES, () => {
  for (let l = 0; l < LAYERS; l++) {
    const fd = t.landlock_create_ruleset({ handled_access_net: BOTH }, 24, 0);
    for (let i = 0; i < RULES; i++) {
      if (t.landlock_add_rule(fd, LANDLOCK_RULE_NET_PORT, { allowed_access: BOTH, port: BASE + i }, 0) !== 0) throw new Error('add_rule failed');
      inserted++;
    }
    t.close(fd);
  }
});
void insertRate;

// The domain: 16 layers x 1,000 rules.
for (let l = 0; l < LAYERS; l++) {
  const fd = t.landlock_create_ruleset({ handled_access_net: BOTH }, 24, 0);
  for (let i = 0; i < RULES; i++) t.landlock_add_rule(fd, LANDLOCK_RULE_NET_PORT, { allowed_access: BOTH, port: BASE + i }, 0);
  if (t.landlock_restrict_self(fd, 0) !== 0) throw new Error('restrict failed');
  t.close(fd);
}
if (t.cred.landlock.domain?.num_layers !== LAYERS) throw new Error('expected 16 layers');

const CHECKS = 1_000_000;
let sink = 0;
bench('access-checks-per-sec', 'checks/s', CHECKS, () => {
  for (let i = 0; i < CHECKS; i++) sink += checkPortAccess(t, 'connect_tcp', BASE + (i % RULES));
});
if (sink !== 0) throw new Error('a check that should pass was denied');

// Peer: the rule written directly, one Map per layer.
const reference: Map<number, bigint>[] = Array.from({ length: LAYERS }, () => new Map(Array.from({ length: RULES }, (_, i) => [BASE + i, BOTH])));
let refSink = 0;
bench('reference-checks-per-sec', 'checks/s', CHECKS, () => {
  for (let i = 0; i < CHECKS; i++) {
    const port = BASE + (i % RULES);
    if (!reference.every((layer) => ((layer.get(port) ?? 0n) & LANDLOCK_ACCESS_NET_CONNECT_TCP) !== 0n)) refSink++;
  }
});
if (refSink !== 0) throw new Error('reference disagrees');

const DENIALS = 200_000;
const s = t.socket(AF_INET, SOCK_STREAM, 0);
const denied = sockaddr_in({ port: BASE + RULES, addr: '127.0.0.1' });
bench('connect-denials-per-sec', 'calls/s', DENIALS, () => {
  for (let i = 0; i < DENIALS; i++) if (t.connect(s, denied, 16) !== -13) throw new Error('expected EACCES');
  k.denials.length = 0;
});
console.log(`# ${inserted} rules inserted while measuring; domain of ${LAYERS} layers x ${RULES} rules`);
