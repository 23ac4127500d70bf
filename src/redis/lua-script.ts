import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * A Redis script kept as a `.lua` file, ready to register with ioredis `defineCommand` (EVALSHA, loaded again
 * on NOSCRIPT). The names of its keys and arguments come from the file's header, e.g.
 *
 *   --[[
 *     What the script does.
 *     Input:
 *       KEYS[1] next      what the key holds
 *       ARGV[1] now       epoch ms
 *     Output: what it returns
 *   ]]
 *
 * and must equal, in order, the names the caller declares, so the header cannot drift from the call.
 * `--- @include "includes/name"` (relative to the file, `.lua` implied) inlines a shared part once.
 */
export interface LuaScript<K extends string = string, A extends string = string> {
  /** The command name on the connection: the feature folder and the file, e.g. `deployClaim` for deploy/lua/claim.lua. */
  readonly command: string;
  readonly lua: string;
  readonly keys: readonly K[];
  readonly args: readonly A[];
}

const INCLUDE = /^--- @include "([^"]+)"[ \t]*$/gm;
const DECLARED = /^\s*(KEYS|ARGV)\[(\d+)\]\s+([A-Za-z]\w*)/gm;

function inline(file: string, seen: Set<string>): string {
  return readFileSync(file, 'utf8').replace(INCLUDE, (_, name: string) => {
    const included = resolve(dirname(file), `${name}.lua`);
    if (seen.has(included)) return '';
    seen.add(included);
    return inline(included, seen);
  });
}

/** The names a header declares for KEYS or ARGV, in index order. */
export function declaredNames(lua: string, kind: 'KEYS' | 'ARGV'): string[] {
  const names: string[] = [];
  for (const [, declared, index, name] of lua.matchAll(DECLARED))
    if (declared === kind) names[Number(index) - 1] = name;
  return names;
}

/** Reads `{dir}/{name}.lua` with its includes and checks its header declares exactly `keys` and `args`. */
export function loadLuaScript<K extends string, A extends string>(
  dir: string,
  name: string,
  keys: readonly K[],
  args: readonly A[],
): LuaScript<K, A> {
  const file = join(dir, `${name}.lua`);
  const lua = inline(file, new Set([resolve(file)]));
  const source = readFileSync(file, 'utf8');
  const header = source.slice(0, Math.max(0, source.indexOf(']]')));
  for (const [kind, expected] of [
    ['KEYS', keys],
    ['ARGV', args],
  ] as const) {
    const declared = declaredNames(header, kind);
    if (declared.join(',') !== expected.join(','))
      throw new Error(
        `${file}: its header declares ${kind} [${declared.join(', ')}], the caller passes [${expected.join(', ')}]`,
      );
  }
  const feature = basename(dir) === 'lua' ? basename(dirname(dir)) : basename(dir);
  const command = `${feature}-${name}`.replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
  return { command, lua, keys, args };
}

/** The KEYS and ARGV of one call, in the order the header declares them. */
export function scriptArguments<K extends string, A extends string>(
  script: LuaScript<K, A>,
  keys: Record<K, string>,
  args: Record<A, string | number>,
): (string | number)[] {
  return [...script.keys.map((k) => keys[k]), ...script.args.map((a) => args[a])];
}
