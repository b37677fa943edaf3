// The IPC contract is declared once, in Rust (src-tauri/ipc/contract.rs), and generated into
// ./bindings/ipc.ts. This proves the UI's own code spells none of it by hand: no command name, no
// event name, no direct `invoke`/`listen` outside the one generic call in backend.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from './bindings/ipc';

// Vitest runs from ui/ (package.json's test script).
const src = join(process.cwd(), 'src');

/** The UI's own source: not the generated bindings, not the tests and their fakes. */
function ownSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return ['bindings', 'fake', 'test'].includes(name) ? [] : ownSources(path);
    return /\.(ts|svelte)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

const files = ownSources(src).map((path) => ({ path: relative(src, path), text: readFileSync(path, 'utf8') }));

describe('the IPC contract', () => {
  it('is found: the scan covers the UI and the contract lists commands', () => {
    expect(files.map((f) => f.path)).toContain('lib/backend.ts');
    expect(COMMAND_NAMES).toContain('list_status');
  });

  // Names of two words and more: a one-word command (`duplicates`, `outbox`) is also a page's name.
  it('has no command or event name written by hand in the UI', () => {
    const names = [...COMMAND_NAMES, 'status_changed', 'models_changed'].filter((n) => n.includes('_'));
    const found = files.flatMap(({ path, text }) =>
      names.filter((n) => new RegExp(`['"]${n}['"]`).test(text) && !(path === 'lib/backend.ts' && /_changed$/.test(n))).map((n) => `${path}: ${n}`),
    );
    expect(found).toEqual([]);
  });

  it('calls the core only through the generated bindings', () => {
    const direct = files.filter(({ path, text }) => path !== 'lib/backend.ts' && /\b(invoke|listen)\s*[<(]/.test(text));
    expect(direct.map((f) => f.path)).toEqual([]);
    const backend = files.find((f) => f.path === 'lib/backend.ts')!.text;
    expect(backend.match(/\binvoke\s*\(/g)).toHaveLength(1);
    expect(backend).not.toMatch(/export (interface|type) (ConnectInput|MappingRow|MappingEdit|Suggestion|RejectionReason|ModelsChanged)\b/);
  });
});
