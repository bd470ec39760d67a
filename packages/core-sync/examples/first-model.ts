// The model of the tutorial (docs/tutorial.md): a NIC driver whose interrupt
// handler counts received packets while a task reads and resets the counters.
import {
  Cell, DEFINE_SPINLOCK, IRQ_HANDLED, defineScenario, irq_raise, request_irq, spin_lock, spin_lock_irqsave, spin_unlock,
  spin_unlock_irqrestore, type KGen,
} from '@k/core-sync';

export const nicStats = defineScenario({
  name: 'nic-stats',
  description: 'an IRQ handler counts packets; a task reads and resets the counter',
  variants: {
    bug: { expect: 'fails', kinds: ['irq-safety', 'deadlock'], why: 'the task takes the lock with interrupts enabled' },
    fixed: { expect: 'holds' },
  },
  defaults: { cpus: 1 },
  setup(k, variant) {
    const stats_lock = DEFINE_SPINLOCK('stats_lock');
    const rx_packets = new Cell(0, 'rx_packets');
    const NIC_IRQ = 11;

    // the interrupt handler: runs in hardirq context with interrupts off
    function* nic_interrupt(): KGen<number> {
      yield* spin_lock(stats_lock);
      yield* rx_packets.write((yield* rx_packets.read()) + 1);
      yield* spin_unlock(stats_lock);
      return IRQ_HANDLED;
    }

    k.boot('probe', function* () {
      yield* request_irq(NIC_IRQ, nic_interrupt, 0, 'nic', null);
    });

    // the device: a packet arrives at some moment the explorer chooses
    k.agent('nic', function* () {
      irq_raise(NIC_IRQ);
    }, { daemon: false });

    // ethtool -S: read and reset the counter
    k.spawn('ethtool', function* () {
      if (variant === 'bug') {
        yield* spin_lock(stats_lock);
        yield* rx_packets.write(0);
        yield* spin_unlock(stats_lock);
      } else {
        const flags = yield* spin_lock_irqsave(stats_lock);
        yield* rx_packets.write(0);
        yield* spin_unlock_irqrestore(stats_lock, flags);
      }
    });
  },
});

export const scenarios = [nicStats];
