import { RuleTester } from 'eslint';
import { describe, it } from 'vitest';
import plugin from '../eslint-plugin-k.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({ languageOptions: { ecmaVersion: 2023, sourceType: 'module' } });
const file = (p: string) => `/repo/packages/${p}`;

tester.run('no-cross-package-relative-import', plugin.rules['no-cross-package-relative-import'], {
  valid: [
    { code: "import { x } from '../src/index';", filename: file('hw-emu/test/a.test.ts') },
    { code: "import { x } from './internal/rt';", filename: file('core-sync/src/index.ts') },
    { code: "import { x } from '../../index';", filename: file('core-sync/src/internal/rt/a.ts') },
    { code: "import { x } from '@k/core-sync';", filename: file('hw-emu/src/index.ts') },
  ],
  invalid: [
    {
      code: "import { spin_lock } from '../../core-sync/src/index';",
      filename: file('hw-emu/src/index.ts'),
      errors: [{ messageId: 'leaves' }],
    },
    {
      code: "export * from '../../../core-sync/src/sync';",
      filename: file('wpan-scan/src/internal/a.ts'),
      errors: [{ messageId: 'leaves' }],
    },
    {
      code: "const m = await import('../../virtio/src/index');",
      filename: file('cli/src/a.ts'),
      errors: [{ messageId: 'leaves' }],
    },
  ],
});

tester.run('package-layering', plugin.rules['package-layering'], {
  valid: [
    { code: "import { x } from '@k/core-sync';", filename: file('hw-emu/src/index.ts') },
    { code: "import { x } from '@k/hw-emu';", filename: file('wpan-scan/src/index.ts') },
    { code: "import { x } from '@k/wpan-scan/scenarios';", filename: file('cli/src/index.ts') },
  ],
  invalid: [
    { code: "import { x } from '@k/hw-emu';", filename: file('core-sync/src/index.ts'), errors: [{ messageId: 'forbidden' }] },
    { code: "import { x } from '@k/virtio';", filename: file('hw-emu/src/index.ts'), errors: [{ messageId: 'forbidden' }] },
    { code: "import { x } from '@k/conntrack';", filename: file('wpan-scan/src/index.ts'), errors: [{ messageId: 'forbidden' }] },
    { code: "import { x } from '@k/core-sync/src/internal/rt';", filename: file('hw-emu/src/index.ts'), errors: [{ messageId: 'deep' }] },
  ],
});

tester.run('no-cross-package-relative-import (configs)', plugin.rules['no-cross-package-relative-import'], {
  valid: [{ code: "import { defineK } from '../../tsup.base';", filename: file('hw-emu/tsup.config.ts') }],
  invalid: [
    { code: "import { defineK } from '../../tsup.base';", filename: file('hw-emu/src/index.ts'), errors: [{ messageId: 'leaves' }] },
    { code: "import { x } from '../core-sync/src/index';", filename: file('hw-emu/vitest.config.ts'), errors: [{ messageId: 'leaves' }] },
  ],
});
