// Project lint rules for k.
//  - no-cross-package-relative-import: a relative import may not leave the
//    package it is written in; other packages are reached by name only.
//  - package-layering: which @k packages a package may import
//    (ARCHITECTURE.md: core-sync imports none of ours, hw-emu only core-sync,
//    a subsystem core-sync and hw-emu, the CLI everyone).
import path from 'node:path';

const SUBSYSTEMS = ['wpan-scan', 'conntrack', 'virtio', 'landlock-net', 'arm64-ftrace'];
const ALLOWED = {
  'core-sync': [],
  'hw-emu': ['core-sync'],
  cli: ['core-sync', 'hw-emu', ...SUBSYSTEMS],
};
for (const s of SUBSYSTEMS) ALLOWED[s] = ['core-sync', 'hw-emu'];

/** The package directory (`.../packages/<name>`) that holds `file`, or null. */
export function packageRootOf(file) {
  const parts = path.resolve(file).split(path.sep);
  const i = parts.lastIndexOf('packages');
  if (i < 0 || i + 1 >= parts.length) return null;
  return parts.slice(0, i + 2).join(path.sep);
}

function sourcesOf(node) {
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportAllDeclaration':
    case 'ExportNamedDeclaration':
    case 'ImportExpression':
      return node.source && node.source.type === 'Literal' && typeof node.source.value === 'string'
        ? [node.source]
        : [];
    default:
      return [];
  }
}

function visitor(check) {
  const handler = (node) => {
    for (const src of sourcesOf(node)) check(src, src.value);
  };
  return {
    ImportDeclaration: handler,
    ExportAllDeclaration: handler,
    ExportNamedDeclaration: handler,
    ImportExpression: handler,
  };
}

const noCrossPackageRelativeImport = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid relative imports that leave the current package' },
    messages: {
      leaves:
        "relative import '{{spec}}' leaves package '{{pkg}}': import another package by its name (for example '@k/core-sync'), through its exports map",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const root = packageRootOf(file);
    if (!root) return {};
    return visitor((node, spec) => {
      if (!spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      const rel = path.relative(root, target);
      if (!(rel.startsWith('..') || path.isAbsolute(rel))) return;
      // Build and test configs at a package's top may use the repository's shared
      // config factories; sources, tests and benchmarks may not leave the package,
      // and nothing may reach into another package.
      const other = packageRootOf(target);
      const inConfig = path.dirname(path.resolve(file)) === root && /\.config\.[cm]?[jt]s$/.test(file);
      if (other || !inConfig) {
        context.report({ node, messageId: 'leaves', data: { spec, pkg: path.basename(root) } });
      }
    });
  },
};

const packageLayering = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce which @k packages each package may import' },
    messages: {
      forbidden: "package '@k/{{from}}' may not import '{{spec}}' (allowed: {{allowed}})",
      deep: "import '{{spec}}' reaches into a package's files: use its exports map ('@k/{{pkg}}' or a listed subpath)",
    },
    schema: [],
  },
  create(context) {
    const root = packageRootOf(context.filename);
    if (!root) return {};
    const from = path.basename(root);
    const allowed = ALLOWED[from];
    if (!allowed) return {};
    return visitor((node, spec) => {
      const m = /^@k\/([^/]+)(\/.*)?$/.exec(spec);
      if (!m) return;
      const [, pkg, sub] = m;
      if (sub && /\/(src|dist)\//.test(sub + '/')) {
        context.report({ node, messageId: 'deep', data: { spec, pkg } });
        return;
      }
      if (pkg === from) return;
      if (!allowed.includes(pkg)) {
        context.report({
          node,
          messageId: 'forbidden',
          data: { from, spec, allowed: allowed.length ? allowed.map((a) => '@k/' + a).join(', ') : 'none' },
        });
      }
    });
  },
};

export default {
  meta: { name: 'eslint-plugin-k' },
  rules: {
    'no-cross-package-relative-import': noCrossPackageRelativeImport,
    'package-layering': packageLayering,
  },
};
