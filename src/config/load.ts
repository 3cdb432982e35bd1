// routes.yaml -> a validated StranglerConfig and its version, or every error at once.
//
//   text -> YAML tree with positions (yaml-tree.ts)
//        -> ${VAR} expansion (expand-env.ts) -> coercion of expanded values (coerce.ts)
//        -> JSON Schema (schema.ts, messages by schema-errors.ts)
//        -> cross-field rules (rules.ts)
//        -> a further step handed in by the caller (`derive`: routing/source.ts passes the
//           effective step, the very step the table is compiled from, so a file accepted there
//           always compiles), its issues located like every other
//        -> errors located by file, line, column and YAML path, sorted; or the config.

import { readFile } from 'node:fs/promises';
import { coerceExpanded } from './coerce.js';
import { expandTree } from './expand-env.js';
import { sortConfigErrors } from './format.js';
import { isAncestorOrSelf, parentPointer } from './paths.js';
import { checkRules } from './rules.js';
import { describeSchemaErrors } from './schema-errors.js';
import { configSchema, validateAgainstSchema } from './schema.js';
import type { ConfigError, LoadResult, StranglerConfig } from './types.js';
import { configVersion } from './version.js';
import { readYamlTree, type Json, type NodeInfo, type Position } from './yaml-tree.js';

interface Located {
  readonly pointer?: string;
  readonly position?: Position;
  readonly at?: 'key' | 'value';
  readonly message: string;
}

/** A further step over a config that passed every rule; its issues name a value by JSON pointer. */
export type Derive<T> = (config: StranglerConfig) =>
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly { readonly pointer: string; readonly message: string; readonly at?: 'key' | 'value' }[] };

/** A valid file: its config as written, its version, and what `derive` made of it. */
export type Derived<T> = (Extract<LoadResult, { ok: true }> & { readonly derived: T }) | Extract<LoadResult, { ok: false }>;

/** Parses and validates routes.yaml text. No I/O: `env` (default process.env) is the only outside input. */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadResult {
  return parseConfigWith(text, file, env, (): { ok: true; value: undefined } => ({ ok: true, value: undefined }));
}

/** What else is wrong with a file that failed validation, found on its data as written (the
 *  files it names that cannot be read: routing/named-files.ts), so that every error comes at once. */
export type WhenInvalid = (data: Json) => readonly { readonly pointer: string; readonly message: string; readonly at?: 'key' | 'value' }[];

/** parseConfig, then `derive` over the valid config, with its issues located too. */
export function parseConfigWith<T>(text: string, file: string, env: NodeJS.ProcessEnv, derive: Derive<T>, whenInvalid?: WhenInvalid): Derived<T> {
  const tree = readYamlTree(text);
  const found: Located[] = [...tree.issues];
  const fail = (): Derived<T> => ({ ok: false, file, errors: locate(found, tree.nodes, file) });
  if (tree.data === undefined) return fail();
  const data: Json = tree.data;

  const expansion = expandTree(data, env);
  found.push(...expansion.issues.map((i) => ({ ...i, at: 'value' as const })));
  // Values already reported as unusable: an alias cycle (read as null), or a `${VAR}` that
  // could not be expanded. Schema errors about them would be about text the user never meant.
  const unusable = new Set<string>([
    ...tree.issues.flatMap((i) => (i.pointer !== undefined && i.at === 'value' ? [i.pointer] : [])),
    ...expansion.issues.map((i) => i.pointer),
  ]);
  coerceExpanded(
    data,
    [...expansion.expanded.keys()].filter((p) => !unusable.has(p)),
    configSchema,
  );

  const schemaIssues = describeSchemaErrors(validateAgainstSchema(data), expansion.expanded).filter((i) => !unusable.has(i.pointer));
  found.push(...schemaIssues);

  // A rule that read a value with a schema (or expansion) error, or a value inside one, would
  // report the same mistake a second time.
  const blamed = [...schemaIssues.map((i) => i.pointer), ...unusable];
  for (const issue of checkRules(data)) {
    if (issue.involves.some((p) => blamed.some((b) => isAncestorOrSelf(p, b)))) continue;
    found.push(issue);
  }

  // (Not under a value reported already: one mistake, one error.)
  const failWith = (reported: readonly string[]): Derived<T> => {
    for (const issue of whenInvalid?.(data) ?? []) if (!reported.some((b) => isAncestorOrSelf(b, issue.pointer))) found.push({ ...issue, at: issue.at ?? 'value' });
    return fail();
  };
  if (found.length > 0) return failWith(blamed);

  const raw = data as Record<string, Json>;
  const config = deepFreeze({
    ...raw,
    server: raw['server'] ?? {},
    defaults: raw['defaults'] ?? {},
  }) as unknown as StranglerConfig;
  const derived = derive(config);
  if (!derived.ok) {
    found.push(...derived.issues.map((i) => ({ ...i, at: i.at ?? ('value' as const) })));
    return failWith(derived.issues.map((i) => i.pointer));
  }
  return { ok: true, file, config, version: configVersion(config), derived: derived.value };
}

/** Reads and validates a routes.yaml file. Never throws for a missing or unreadable file: that
 *  is one error at 1:1. */
export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadResult> {
  const read = await readConfigText(file);
  return 'error' in read ? { ok: false, file, errors: [read.error] } : parseConfig(read.text, file, env);
}

/** The file's text, or the one error (at 1:1) saying why it cannot be read. */
export async function readConfigText(file: string): Promise<{ text: string } | { error: ConfigError }> {
  try {
    return { text: await readFile(file, 'utf8') };
  } catch (err) {
    return { error: { file, line: 1, column: 1, path: '', message: readErrorMessage(err) } };
  }
}

function readErrorMessage(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'cannot read the config file: no such file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot read the config file: permission denied';
    case 'EISDIR':
      return 'cannot read the config file: it is a directory';
    default:
      return `cannot read the config file: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function locate(found: readonly Located[], nodes: ReadonlyMap<string, NodeInfo>, file: string): ConfigError[] {
  const seen = new Set<string>();
  const out: ConfigError[] = [];
  for (const f of found) {
    const info = f.pointer === undefined ? undefined : nearest(nodes, f.pointer);
    const pos = f.position ?? (info ? (f.at === 'key' ? (info.key ?? info.value) : info.value) : { line: 1, column: 1 });
    const e: ConfigError = { file, line: pos.line, column: pos.column, path: info?.path ?? '', message: f.message };
    const key = `${e.line}:${e.column}:${e.path}:${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return sortConfigErrors(out);
}

/** The node at the pointer, or its closest recorded ancestor. */
function nearest(nodes: ReadonlyMap<string, NodeInfo>, pointer: string): NodeInfo | undefined {
  let p: string | undefined = pointer;
  while (p !== undefined) {
    const info = nodes.get(p);
    if (info) return info;
    p = parentPointer(p);
  }
  return undefined;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
