/**
 * Whether a YAML file opened as a rules file (`*.rules.yaml`) is another tool's, not ours nor a Prometheus rule file:
 * a Semgrep or other linter's `rules:` list, a Kubernetes manifest, a CI file. Such a file gets one diagnostic instead
 * of an error per key and did-you-mean fixes that would turn it into ours.
 */
import { deref } from './yamlAst.ts';
import { didYouMean } from './suggest.ts';
import type { YNode } from './yamlAst.ts';

/** Our top-level keys (rules.schema.json). */
const TOP_KEYS = ['version', 'data', 'defaults', 'rules', 'detectors', 'alerts'];
/**
 * The keys only a rule of ours has: `severity`, `labels`, `annotations` and `message`-like keys are left out, as other
 * tools' rules have them too (Semgrep's `severity`).
 */
const RULE_KEYS = ['name', 'metric', 'op', 'threshold', 'for', 'keep_firing_for', 'enabled'];

/**
 * Why the file (its YAML root, not a Prometheus rule file) is not a rules file of ours, or null when it may be one.
 * A file with `version:` is ours (its mistakes are reported key by key); so is one whose `rules:` has an item with
 * a rule's key or no mapping item yet (a file being written).
 */
export function foreignFileReason(root: YNode | null): string | null {
  const m = root ? deref(root) : null;
  if (m?.kind !== 'map') return null;
  const keyOf = (n: YNode): string => (n.kind === 'scalar' ? n.text : '');
  const keys = m.pairs.map((p) => keyOf(p.key));
  if (keys.includes('version')) return null;
  const value = (key: string): YNode | undefined => { const p = m.pairs.find((q) => keyOf(q.key) === key); return p && deref(p.value); };
  const kind = value('kind');
  if (keys.includes('apiVersion') && kind?.kind === 'scalar') return `a Kubernetes manifest of kind ${String(kind.value)}; a PrometheusRule manifest's groups would be read`;
  if (!keys.some((k) => TOP_KEYS.includes(k))) return `none of its top-level keys (${keys.slice(0, 3).join(', ')}) is one of ours (${TOP_KEYS.join(', ')}) nor a Prometheus rule file's groups`;
  const rules = value('rules');
  const items = rules?.kind === 'seq' ? rules.items.map((n) => deref(n)).filter((n) => n.kind === 'map') : [];
  if (items.length && !items.some((n) => n.kind === 'map' && n.pairs.some((p) => RULE_KEYS.includes(keyOf(p.key))))) {
    return `no version, and none of its rules has a key of ours (${RULE_KEYS.slice(0, 4).join(', ')}…): another tool's rules`;
  }
  return null;
}

/** The top-level key of a mapping `root` (no `version:`) whose value is a list: its key node, name and items' keys. */
function topLists(root: YNode | null): { key: YNode; name: string; itemKeys: Set<string> }[] {
  const m = root ? deref(root) : null;
  if (m?.kind !== 'map') return [];
  const keyOf = (n: YNode): string => (n.kind === 'scalar' ? n.text : '');
  if (m.pairs.some((p) => keyOf(p.key) === 'version')) return [];
  return m.pairs.flatMap((p) => {
    const v = deref(p.value);
    if (v.kind !== 'seq') return [];
    const itemKeys = new Set<string>();
    for (const it of v.items.map(deref)) if (it.kind === 'map') for (const q of it.pairs) itemKeys.add(keyOf(q.key));
    return [{ key: p.key, name: keyOf(p.key), itemKeys }];
  });
}

/**
 * A Prometheus rule file's `groups:` misspelt (`group:`, `Groups:`): the key, when its list's items have a group's
 * `rules:` or `name:`, so the file is clearly one (promtool: `field group not found in type rulefmt.RuleGroups`).
 */
export function groupsTypo(root: YNode | null): YNode | null {
  const found = topLists(root).find((l) => l.name !== 'groups' && didYouMean(l.name, ['groups']) === 'groups' && (l.itemKeys.has('rules') || l.itemKeys.has('name')));
  return found?.key ?? null;
}

/**
 * Prometheus rules written without their `groups:` wrapper (`rules: [{alert, expr}]` at the top): the `rules` key, when
 * its items have Prometheus rule keys (`alert` or `record`, and `expr`) and none of ours (`name`, `metric`).
 */
export function rulesWithoutGroups(root: YNode | null): YNode | null {
  const found = topLists(root).find((l) => l.name === 'rules' && (l.itemKeys.has('alert') || l.itemKeys.has('record')) && l.itemKeys.has('expr') && !l.itemKeys.has('name') && !l.itemKeys.has('metric'));
  return found?.key ?? null;
}
