#!/usr/bin/env node
// The API reference in docs/reference/, generated from each package's public
// entry points (the `exports` map) with the TypeScript compiler: every exported
// name with its kind, signature and TSDoc summary. `--check` exits 1 when the
// committed pages differ from what the sources give (the test runs it).
//
//   node tools/api-reference.mjs          write docs/reference/*.md
//   node tools/api-reference.mjs --check  compare only
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'docs', 'reference');

/** The packages and their entry points: [{ name, dir, entries: [{ subpath, file }] }]. */
export function packages() {
  const out = [];
  for (const d of readdirSync(join(root, 'packages')).sort()) {
    const manifest = join(root, 'packages', d, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    const entries = [];
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      const src = typeof target === 'object' && target !== null ? target['@k/source'] : null;
      if (typeof src === 'string' && src.endsWith('.ts')) entries.push({ subpath, file: join(root, 'packages', d, src) });
    }
    if (entries.length) out.push({ name: pkg.name, dir: d, description: pkg.description ?? '', entries });
  }
  return out;
}

function kindOf(decl) {
  if (ts.isFunctionDeclaration(decl)) return 'function';
  if (ts.isClassDeclaration(decl)) return 'class';
  if (ts.isInterfaceDeclaration(decl)) return 'interface';
  if (ts.isTypeAliasDeclaration(decl)) return 'type';
  if (ts.isEnumDeclaration(decl)) return 'enum';
  if (ts.isVariableDeclaration(decl)) return 'const';
  return 'other';
}

const ORDER = ['function', 'class', 'const', 'interface', 'type', 'enum', 'other'];
const HEADINGS = { function: 'Functions', class: 'Classes', const: 'Constants and objects', interface: 'Interfaces', type: 'Types', enum: 'Enums', other: 'Other' };

/** One line of TSDoc: the first sentence or paragraph, Markdown-safe in a table. */
function summary(checker, sym) {
  const text = ts.displayPartsToString(sym.getDocumentationComment(checker)).trim();
  const first = text.split(/\n\s*\n/)[0].replace(/\s+/g, ' ');
  return first.replace(/\|/g, '\\|');
}

function oneLine(s, max = 220) {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function signatureOf(checker, name, sym, decl, kind) {
  const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;
  if (kind === 'function') {
    const type = checker.getTypeOfSymbolAtLocation(sym, decl);
    return type.getCallSignatures().map((s) => `${name}${checker.signatureToString(s, decl, flags)}`);
  }
  if (kind === 'class') {
    const type = checker.getTypeOfSymbolAtLocation(sym, decl);
    const ctors = type.getConstructSignatures().map((s) => `new ${name}${checker.signatureToString(s, decl, flags).replace(/: [^:]+$/, '')}`);
    const members = [];
    for (const m of decl.members ?? []) {
      const mods = ts.getCombinedModifierFlags(m);
      if (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      if (!m.name || ts.isPrivateIdentifier(m.name)) continue;
      if (ts.isMethodDeclaration(m) || ts.isPropertyDeclaration(m) || ts.isGetAccessor(m)) members.push(m.name.getText());
    }
    const uniq = [...new Set(members)];
    return [...(ctors.length ? ctors : [`class ${name}`]), ...(uniq.length ? [`members: ${uniq.join(', ')}`] : [])];
  }
  if (kind === 'const') {
    return [`${name}: ${oneLine(checker.typeToString(checker.getTypeOfSymbolAtLocation(sym, decl), decl, flags))}`];
  }
  if (kind === 'interface') {
    const props = (decl.members ?? []).filter((m) => m.name).map((m) => m.name.getText());
    return [`interface ${name}${props.length ? ` { ${oneLine(props.join(', '), 300)} }` : ''}`];
  }
  if (kind === 'type' || kind === 'enum') return [oneLine(decl.getText().replace(/^export\s+/, '').replace(/\/\*\*[\s\S]*?\*\//g, ''))];
  return [name];
}

/** The reference pages, as { file: markdown }. */
export function generate() {
  const pkgs = packages();
  const files = pkgs.flatMap((p) => p.entries.map((e) => e.file));
  const options = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    customConditions: ['@k/source'], strict: true, skipLibCheck: true, noEmit: true, types: ['node'], lib: ['lib.es2023.d.ts'],
    allowImportingTsExtensions: true,
  };
  const program = ts.createProgram(files, options);
  const checker = program.getTypeChecker();
  const pages = {};
  const index = ['# API reference', '', 'Generated from the sources by `node tools/api-reference.mjs` (the tools tests fail when it is stale).', '', '| package | entry points | exported names |', '|---|---|---|'];
  for (const p of pkgs) {
    const lines = [`# ${p.name}`, '', p.description, '', `Generated from \`packages/${p.dir}\`'s public entry points by \`node tools/api-reference.mjs\`; see the package's [README](../../packages/${p.dir}/README.md) for how to use it.`, ''];
    let count = 0;
    for (const e of p.entries) {
      const sf = program.getSourceFile(e.file);
      const modSym = sf && checker.getSymbolAtLocation(sf);
      if (!modSym) continue;
      const spec = e.subpath === '.' ? p.name : `${p.name}/${e.subpath.replace(/^\.\//, '')}`;
      lines.push(`## \`${spec}\``, '');
      const byKind = new Map();
      for (const exp of checker.getExportsOfModule(modSym)) {
        const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
        const decl = sym.declarations?.[0];
        if (!decl) continue;
        const kind = kindOf(decl);
        // the file, not the line: a page changes when the API does, not when code moves
        const loc = relative(root, decl.getSourceFile().fileName);
        const entry = { name: exp.name, sig: signatureOf(checker, exp.name, sym, decl, kind), doc: summary(checker, sym) || summary(checker, exp), loc };
        if (!byKind.has(kind)) byKind.set(kind, []);
        byKind.get(kind).push(entry);
        count++;
      }
      for (const k of ORDER) {
        const list = byKind.get(k);
        if (!list) continue;
        list.sort((a, b) => a.name.localeCompare(b.name, 'en'));
        lines.push(`### ${HEADINGS[k]}`, '');
        for (const x of list) {
          lines.push(`- **\`${x.name}\`** ([source](../../${x.loc}))${x.doc ? `: ${x.doc}` : ''}`);
          for (const s of x.sig) lines.push(`  \`${s.replace(/`/g, "'")}\``);
        }
        lines.push('');
      }
    }
    const file = `${p.dir}.md`;
    pages[file] = lines.join('\n').replace(/\n+$/, '\n');
    index.push(`| [${p.name}](${file}) | ${p.entries.map((e) => `\`${e.subpath}\``).join(', ')} | ${count} |`);
  }
  pages['README.md'] = index.join('\n') + '\n';
  return pages;
}

function main() {
  const check = process.argv.includes('--check');
  const pages = generate();
  const stale = [];
  if (!check) mkdirSync(outDir, { recursive: true });
  for (const [file, text] of Object.entries(pages)) {
    const path = join(outDir, file);
    const old = existsSync(path) ? readFileSync(path, 'utf8') : null;
    if (old === text) continue;
    if (check) stale.push(file);
    else writeFileSync(path, text);
  }
  if (check && stale.length) {
    console.error(`docs/reference is stale (${stale.join(', ')}): run node tools/api-reference.mjs`);
    process.exit(1);
  }
  if (!check) console.log(`docs/reference: ${Object.keys(pages).length} pages`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
