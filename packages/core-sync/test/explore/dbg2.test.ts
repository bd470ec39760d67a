import { it } from 'vitest';
import { explore } from '../../src/index';
import { patterns } from '../../src/scenarios';
it('patterns', () => {
  for (const s of patterns) for (const v of Object.keys(s.variants)) {
    const f = explore(s, { variant: v, strategy: 'dfs', budget: 200000, continueAfterViolation: true });
    const d = explore(s, { variant: v, strategy: 'dpor', budget: 200000, continueAfterViolation: true });
    console.log(s.name, v, 'dfs', f.executions, f.complete, f.violationKinds.join(','), f.outcomes.length, '| dpor', d.executions, d.blocked, d.complete, d.violationKinds.join(','), d.outcomes.length, d.timeMs, 'ms');
  }
}, 600000);
