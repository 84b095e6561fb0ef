// Curated entries: every package entry lists its public names explicitly, and this test fails when
// an entry gains or loses a name without its committed list changing too. Runtime values come from
// `Object.keys(await import(entry))`; type names from the entry's `export` declarations, read with
// the TypeScript compiler API. Lists: test/entries/<name>.txt, one `value NAME` / `type NAME` a line.
//
// Adding an entry is one line in ENTRIES; after a deliberate change, regenerate the lists with
//   UPDATE_ENTRIES=1 pnpm vitest run --project unit packages/core/test/entries.test.ts
// and review the diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../..');

/** [list name, entry file relative to the repo root]. */
const ENTRIES: ReadonlyArray<readonly [string, string]> = [
  ['core', 'packages/core/src/index.ts'],
  ['core-internal', 'packages/core/src/internal.ts'],
  ['core-testing', 'packages/core/src/testing/index.ts'],
  ['contract', 'packages/contract/src/index.ts'],
  ['transport', 'packages/transport/src/index.ts'],
  ['transport-testing', 'packages/transport/src/testing/index.ts'],
  ['model', 'packages/model/src/index.ts'],
  ['runtime', 'packages/runtime/src/browser.ts'],
  ['runtime-connector', 'packages/runtime/src/connector.ts'],
  ['store-idb', 'packages/store-idb/src/index.ts'],
  ['store-idb-testing', 'packages/store-idb/src/testing.ts'],
  ['store-kv', 'packages/store-kv/src/index.ts'],
  ['store-kv-testing', 'packages/store-kv/src/testing/index.ts'],
  ['insights', 'packages/insights/src/index.ts'],
  ['simulator', 'packages/simulator/src/index.ts'],
  ['trainer', 'packages/trainer/src/index.ts'],
  ['sdk', 'packages/sdk/src/index.ts'],
  ['miniprogram', 'packages/miniprogram/src/index.ts'],
  ['miniprogram-testing', 'packages/miniprogram/src/testing/index.ts'],
  ['elements', 'packages/elements/src/index.ts'],
  ['react', 'packages/react/src/index.ts'],
  ['vue', 'packages/vue/src/index.ts'],
];

interface Declared {
  names: Set<string>;
  /** `export * from …` clauses: each would publish whatever its module adds. */
  stars: string[];
}

/** The names an entry file declares with `export`, without resolving modules (fast, exact). */
function declaredExports(file: string, text = readFileSync(file, 'utf8')): Declared {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const names = new Set<string>();
  const stars: string[] = [];
  const exported = (n: ts.Node): boolean =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const st of src.statements) {
    if (ts.isExportDeclaration(st)) {
      if (st.exportClause === undefined) stars.push(st.moduleSpecifier?.getText(src) ?? '?');
      else if (ts.isNamespaceExport(st.exportClause)) names.add(st.exportClause.name.text);
      else for (const el of st.exportClause.elements) names.add(el.name.text);
    } else if (exported(st)) {
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
      } else if ('name' in st && st.name !== undefined && ts.isIdentifier(st.name as ts.Node)) {
        names.add((st.name as ts.Identifier).text);
      }
    }
  }
  return { names, stars };
}

async function surface(entry: string): Promise<{ lines: string[]; stars: string[]; undeclared: string[] }> {
  const file = join(repo, entry);
  const { names, stars } = declaredExports(file);
  const values = new Set(Object.keys((await import(pathToFileURL(file).href)) as object));
  const lines = [...names].map((n) => `${values.has(n) ? 'value' : 'type'} ${n}`);
  lines.sort((a, b) => a.split(' ')[1]!.localeCompare(b.split(' ')[1]!) || a.localeCompare(b));
  return { lines, stars, undeclared: [...values].filter((v) => !names.has(v)) };
}

describe('package entries list their public names explicitly', () => {
  it.each(ENTRIES)('%s (%s)', async (name, entry) => {
    const { lines, stars, undeclared } = await surface(entry);
    expect(stars, `${entry} must list its names, not re-export whole modules`).toEqual([]);
    expect(undeclared, `${entry} exports values not declared in the entry file itself`).toEqual([]);
    const listFile = join(import.meta.dirname, 'entries', `${name}.txt`);
    const text = `${lines.join('\n')}\n`;
    if (process.env['UPDATE_ENTRIES'] === '1') writeFileSync(listFile, text);
    expect(existsSync(listFile), `no committed list ${listFile}: run with UPDATE_ENTRIES=1 and review it`).toBe(true);
    expect(text, `${entry}'s public names changed: update test/entries/${name}.txt if that was intended`).toBe(
      readFileSync(listFile, 'utf8'),
    );
  });

  it('the check sees a new name (a runtime value and a type)', () => {
    const probe = [
      "export { listed, type Listed as Renamed } from './a.js';",
      "export * from './b.js';",
      'export const extra = 1;',
      'export interface Extra { a: number }',
      'const hidden = 2;',
    ].join('\n');
    const d = declaredExports('probe.ts', probe);
    expect([...d.names].sort()).toEqual(['Extra', 'Renamed', 'extra', 'listed']);
    expect(d.stars).toEqual(["'./b.js'"]);
  });
});
