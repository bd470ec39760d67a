// README example (Fault injection). Run: npx tsx examples/faults.ts (after a build).
/* eslint-disable @typescript-eslint/no-unused-expressions -- each bare expression shows a value */
import { IRQ_NONE, defineScenario, explore, irq_to_desc, ktime_get_ns, request_irq, type KGen } from '@k/core-sync';
import { FaultInjector, hw_wait_ns } from '@k/hw-emu';

// A device hands one byte to its driver 1 us after boot; the explorer may inject one fault.
const link = defineScenario({
  name: 'faulty-link',
  description: 'one answer from a device, with at most one injected fault',
  variants: { only: { expect: 'holds' } },
  defaults: { timing: 'strict' },
  setup(k) {
    const faults = new FaultInjector({ drop: true, delays: [5_000], corrupt: true, duplicate: true, max: 1 });
    const got: string[] = [];
    k.agent('device', function* (): KGen {
      yield* hw_wait_ns(1_000 + faults.delayNs('answer'));
      if (faults.drop('answer')) return;
      const answer = faults.corrupt(Uint8Array.of(0x42), 'answer');
      got.push(`0x${answer[0]!.toString(16)}@${ktime_get_ns()}`);
      if (faults.duplicate('answer')) got.push('again');
    }, { daemon: false });
    k.outcome(() => `${got.join(' ') || 'nothing'} | ${faults.injected.map((f) => `${f.kind} ${f.detail}`.trim()).join(', ') || 'no fault'}`);
  },
});
const r = explore(link, { strategy: 'dfs' });
r.complete;                             // => true
r.outcomes;                             // => ['0x2@1000 | corrupt byte 0 bit 6', '0x40@1000 | corrupt byte 0 bit 1',
                                        //     '0x42@1000 again | duplicate', '0x42@1000 | no fault', '0x42@6000 | delay 5000 ns',
                                        //     '0x43@1000 | corrupt byte 0 bit 0', '0x46@1000 | corrupt byte 0 bit 2',
                                        //     '0x4a@1000 | corrupt byte 0 bit 3', '0x52@1000 | corrupt byte 0 bit 4',
                                        //     '0x62@1000 | corrupt byte 0 bit 5', '0xc2@1000 | corrupt byte 0 bit 7', 'nothing | drop']

// A spurious interrupt: an agent that may raise the line at any moment; the handler finds nothing to do.
const glitch = defineScenario({
  name: 'spurious',
  description: 'a line raised by nobody',
  variants: { only: { expect: 'holds' } },
  setup(k) {
    const faults = new FaultInjector({ spuriousIrq: true });
    k.boot('probe', () => request_irq(7, function* () {
      return IRQ_NONE;                  // this driver's device never interrupts
    }, 0, 'demo', null));
    k.agent('glitch', () => faults.spuriousIrq(7), { daemon: false });
    k.outcome(() => `unhandled=${irq_to_desc(7).unhandled}`);
  },
});
explore(glitch, { strategy: 'dfs' }).outcomes;  // => ['unhandled=0', 'unhandled=1']
