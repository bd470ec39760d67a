// The checked scenarios: every variant meets its expectation (ok) under a small
// fixed budget, and every documented failure replays from its pinned schedule
// to the same violation (the counterexamples the README quotes).
import { describe, expect, it } from 'vitest';
import { explore, replay } from '@k/core-sync';
import { scenarios } from '../src/scenarios';

const byName = new Map(scenarios.map((s) => [s.name, s]));

/** [scenario, variant, kind, message, schedule] of each failing variant, as `k check` finds it (seed 1). */
const PINS: [string, string, string, string, string][] = [
  ["expect-count-lockless-test", "seed", "data-race", "data race on init_net.ct.expect_count: plain read by data SYN is concurrent with plain write by PORT 50000 (step 83)", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
  ["ctnetlink-remove-helper", "seed", "lock-misuse", "WARNING: possible recursive locking detected: conntrack -U --helper \"\" takes nf_conntrack_expect_lock (spin_lock_bh) and already holds it (spin_lock_bh)", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
  ["helper-unregister-vs-expected-connection", "seed", "lockdep-assert", "WARNING: suspicious RCU usage: rcu_dereference_protected(nf_conn#1.help->helper) without the protecting lock by rmmod nf_conntrack_sip", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAQEBAQEBAQEBAQEBAQEBAQEBAQEB"],
  ["helper-unregister-vs-expected-connection", "seed-unhelp-fixed", "data-race", "data race on nf_conn#2.help->helper: plain read by incoming call is concurrent with marked write by rmmod nf_conntrack_sip (step 85)", "k1:AAEBAAEBAAABAAEAAAAAAAAAAAAAAAAAAAAAAAEBAQAAAAAAAAAAAAEBAQEBAQEBAQEBAAAAAAAA"],
  ["helper-unregister-vs-expected-connection", "seed-bg-fixed", "invariant", "invariant 'after unregistration no conntrack and no expectation refers to the helper' does not hold: nf_conn#2 still has the sip helper", "k1:AQEBAAEAAAABAQAAAAAAAAAAAAAAAAEBAQEBAQEBAQEBAQEBAQEBAQEBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
  ["helper-pointer-vs-expectation", "seed-unhelp-fixed", "data-race", "data race on nf_conn#1.help->helper: marked write by rmmod nf_conntrack_ftp is concurrent with plain read by PORT 50000 (step 93)", "k1:AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAQEBAQEBAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
  ["nfqueue-change-helper-module-request", "global", "sleep-in-atomic", "BUG: sleeping function called from invalid context: request_module(\"nfct-helper-irc\") in nfqueue verdict with CTA_HELP \"irc\"", "k1:AQ"],
  ["nfqueue-change-helper-module-request", "split", "sleep-in-atomic", "BUG: sleeping function called from invalid context: request_module(\"nfct-helper-irc\") in nfqueue verdict with CTA_HELP \"irc\"", "k1:AQ"],
  ["ctnetlink-create-with-master", "global", "leak", "kmemleak: 1 unreferenced object(s) at the end of the execution: nf_conn#0", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
  ["ctnetlink-create-with-master", "split", "leak", "kmemleak: 1 unreferenced object(s) at the end of the execution: nf_conn#0", "k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
];

describe('@k/conntrack scenarios', () => {
  for (const s of scenarios) {
    for (const [variant, e] of Object.entries(s.variants)) {
      const pinned = PINS.some(([n, v]) => n === s.name && v === variant);
      it(`${s.name} [${variant}] ${e.expect}${pinned ? ' (pinned replay)' : ''}`, () => {
        if (pinned) return; // checked from its schedule below: finding it may take more executions than a test should
        const r = explore(s, { variant, budget: 40, seed: 1 });
        expect(r.counterexample?.message ?? null).toBe(null);
        expect(r.ok).toBe(true);
      });
    }
  }

  for (const [name, variant, kind, message, schedule] of PINS) {
    it(`replays the counterexample of ${name} [${variant}]: ${kind}`, () => {
      const r = replay(byName.get(name)!, variant, schedule);
      expect(r.diverged).toBeNull();
      expect(r.violation).toMatchObject({ kind, message });
      expect(byName.get(name)!.variants[variant]!.kinds).toContain(kind);
    });
  }

  it('finds the seed\'s failures from scratch with the default budget of k check (seed 1)', () => {
    for (const [name, variant, kind] of PINS) {
      const s = byName.get(name)!;
      const r = explore(s, { variant, seed: 1 });
      expect(r.verdict, `${name} [${variant}]`).toBe('fails');
      expect(r.counterexample!.kind).toBe(kind);
    }
  }, 120_000);
});
