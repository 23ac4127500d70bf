import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { declaredNames, loadLuaScript, scriptArguments } from './lua-script';

function folder(files: Record<string, string>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'lua-')), 'feature', 'lua');
  mkdirSync(join(dir, 'includes'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const HEADER = `--[[
  Does a thing.
  Input:
    KEYS[1] first      a key
    KEYS[2] second
    ARGV[1] now        epoch ms
  Output: 1
]]
`;

describe('loadLuaScript', () => {
  it('inlines each include once, names the command after the feature and the file, and reads names from the header', () => {
    const dir = folder({
      'do-thing.lua': `${HEADER}--- @include "includes/a"\n--- @include "includes/b"\nreturn helper_a() + helper_b()\n`,
      'includes/a.lua': 'local function helper_a() return 1 end\n',
      'includes/b.lua': '--- @include "a"\nlocal function helper_b() return helper_a() end\n',
    });
    const script = loadLuaScript(dir, 'do-thing', ['first', 'second'], ['now']);
    expect(script.command).toBe('featureDoThing');
    expect(script.lua.match(/local function helper_a/g)).toHaveLength(1);
    expect(script.lua).not.toContain('@include');
    expect(scriptArguments(script, { second: 'k2', first: 'k1' }, { now: 5 })).toEqual(['k1', 'k2', 5]);
  });

  it('refuses a caller whose key or argument names differ from the header', () => {
    const dir = folder({ 'do-thing.lua': `${HEADER}return 1\n` });
    expect(() => loadLuaScript(dir, 'do-thing', ['second', 'first'], ['now'])).toThrow(
      /declares KEYS \[first, second\]/,
    );
    expect(() => loadLuaScript(dir, 'do-thing', ['first', 'second'], ['now', 'extra'])).toThrow(/ARGV/);
  });

  it('reads only KEYS[n] / ARGV[n] lines that name something', () => {
    expect(declaredNames(HEADER, 'KEYS')).toEqual(['first', 'second']);
    expect(declaredNames(HEADER, 'ARGV')).toEqual(['now']);
  });
});
