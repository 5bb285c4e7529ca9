/**
 * Did-you-mean for a rule's values the schema refuses, where the meant value is plain: a severity's abbreviation or
 * synonym (`crit` → critical), an op written as a word (`gt` → `>`), a quoted number (`threshold: "90"` → 90), a
 * duration given as seconds or with a unit word (`for: 300` → 5m, `for: 5 min` → 5m).
 */
import { formatDuration, parseDuration } from './duration.ts';
import type { YNode } from './yamlAst.ts';

const OP_WORDS: Record<string, string> = { gt: '>', ge: '>=', gte: '>=', lt: '<', le: '<=', lte: '<=', eq: '==', ne: '!=', neq: '!=' };
const SEVERITY_WORDS: Record<string, string> = {
  crit: 'critical', page: 'critical', fatal: 'critical', emergency: 'critical',
  maj: 'major', error: 'major', high: 'major', min: 'minor', low: 'minor', medium: 'minor', warn: 'warning', info: 'warning',
};
const UNIT_WORDS: Record<string, string> = {
  ms: 'ms', millisecond: 'ms', milliseconds: 'ms', s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm', h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd', w: 'w', week: 'w', weeks: 'w',
};
const DURATION_KEYS = new Set(['for', 'keep_firing_for']);

/** The value meant by a refused `key: node`, as YAML text to write in its place, or undefined when none is plain. */
export function meantValue(key: string, node: YNode, allowed: readonly string[] = []): string | undefined {
  if (node.kind !== 'scalar') return undefined;
  const text = node.text.trim().toLowerCase();
  if (key === 'op') { const op = OP_WORDS[text]; return op && `"${op}"`; }
  if (key === 'severity') {
    // A synonym, else the one allowed value the text begins (`crit`, `maj`: three letters at least).
    const starts = text.length >= 3 ? allowed.filter((a) => a.startsWith(text)) : [];
    const word = SEVERITY_WORDS[text] ?? (starts.length === 1 ? starts[0] : undefined);
    return word && allowed.includes(word) ? word : undefined;
  }
  if (key === 'threshold' && typeof node.value === 'string' && /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?\s*$/i.test(node.value)) return String(Number(node.value));
  if (DURATION_KEYS.has(key)) {
    // A bare number is seconds (as Prometheus's HTTP API reads one).
    if (typeof node.value === 'number' && node.value >= 0 && Number.isInteger(node.value)) return formatDuration(node.value * 1000);
    const m = /^(\d+)\s*([a-z]+)$/.exec(text);
    const unit = m && UNIT_WORDS[m[2]];
    if (m && unit && Number.isFinite(parseDuration(`${m[1]}${unit}`))) return formatDuration(parseDuration(`${m[1]}${unit}`));
  }
  return undefined;
}
