/**
 * Seeded fuzz of the built CLI (issue 15): mutated CSVs and rules files through `analyze`, `check` and `stream`.
 * Each case runs `node dist/cli.js …` in its own process and must end with exit code 0, 1 or 2, print no stack
 * trace and no "internal error", and finish within 10 s. Failures are saved (inputs and command) under
 * bench/.data/fuzz-failures/ to be replayed.
 *
 * Usage: npm run bench:fuzz [-- --cases 3000 --seed 1 --jobs N --cli dist/cli.js --send]
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRng } from '../src/core/random.ts';
import type { Rng } from '../src/core/random.ts';

const root = resolve(__dirname, '..');
const TIMEOUT_MS = 10_000;

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
/** The CLI bundle to run (default dist/cli.js, built by `npm run bench:fuzz`). */
const cli = process.argv.includes('--cli') ? resolve(process.argv[process.argv.indexOf('--cli') + 1]) : join(root, 'dist/cli.js');
const CASES = arg('cases', 3000);
const SEED = arg('seed', 1);
const JOBS = arg('jobs', Math.max(2, cpus().length));
/** Also fuzz `send --dry-run` with mutated results files (off by default: the default cases stay those of each seed). */
const WITH_SEND = process.argv.includes('--send');

// ── Seeds ────────────────────────────────────────────────────────────────────────────────────────────

function timeSeries(rng: Rng, rows: number, metrics: string[], opts: { delim?: string; quote?: boolean; crlf?: boolean; epoch?: boolean; decimalComma?: boolean } = {}): string {
  const d = opts.delim ?? ',';
  const nl = opts.crlf ? '\r\n' : '\n';
  const q = (s: string): string => (opts.quote ? `"${s.replace(/"/g, '""')}"` : s);
  let s = ['timestamp', ...metrics].map(q).join(d) + nl;
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < rows; i++) {
    const t = opts.epoch ? String(Math.floor((t0 + i * 60_000) / 1000)) : new Date(t0 + i * 60_000).toISOString();
    const vals = metrics.map((_, k) => {
      let v = 50 + 10 * Math.sin((i + 7 * k) / 30) + rng.next() * 3 + (rng.next() < 0.01 ? 40 : 0);
      if (k === 1 && i % 97 === 0) v = NaN;
      const text = Number.isNaN(v) ? '' : v.toFixed(3);
      return opts.decimalComma ? text.replace('.', ',') : text;
    });
    s += [t, ...vals].map(q).join(d) + nl;
  }
  return s;
}

function seedCsv(rng: Rng): string {
  const rows = 20 + rng.int(400);
  const metrics = ['cpu', 'memory', 'disk io', 'net_in'].slice(0, 1 + rng.int(4));
  switch (rng.int(7)) {
    case 0: return timeSeries(rng, rows, metrics);
    case 1: return timeSeries(rng, rows, metrics, { quote: true, crlf: true });
    case 2: return timeSeries(rng, rows, metrics, { delim: ';', decimalComma: true });
    case 3: return timeSeries(rng, rows, metrics, { delim: '\t', epoch: true });
    case 4: return '\ufeff' + timeSeries(rng, rows, ['__proto__', 'constructor', 'toString'].slice(0, 1 + rng.int(3)));
    case 5: {
      // No timestamp column.
      let s = metrics.join(',') + '\n';
      for (let i = 0; i < rows; i++) s += metrics.map(() => (rng.next() * 100).toFixed(2)).join(',') + '\n';
      return s;
    }
    default: {
      // Wide-ish.
      const cols = 50 + rng.int(400);
      let s = Array.from({ length: cols }, (_, i) => `m${i}`).join(',') + '\n';
      for (let i = 0; i < 30; i++) s += Array.from({ length: cols }, () => rng.int(100)).join(',') + '\n';
      return s;
    }
  }
}

const RULES_SEED = `version: 1
data: data.csv
defaults:
  severity: warning
  for: 2m
rules:
  - name: cpu-high
    metric: cpu
    op: ">"
    threshold: 60
    for: 5m
    keep_firing_for: 1m
    severity: critical
    labels: {team: infra}
    annotations:
      summary: "CPU {{ value }} > {{ threshold }} at {{ timestamp }}"
  - name: memory-low
    metric: memory
    op: "<="
    threshold: 45.5
  - name: __proto__
    metric: constructor
    op: "!="
    threshold: 0
detectors:
  iforest: {contamination: 0.05, trees: 50, seed: 3}
  forecast: {interval: 0.9, daily: auto}
alerts:
  webhook: {format: slack, min_severity: major, throttle: 10m}
`;

function seedResults(rng: Rng): string {
  const detectors = ['iforest', 'forecast', 'rule', 'stream'];
  const severities = ['critical', 'major', 'minor', 'warning'];
  const anomalies = Array.from({ length: 1 + rng.int(60) }, () => {
    const row = rng.int(2000);
    const detector = pick(rng, detectors);
    return {
      row, timestamp: rng.next() < 0.8 ? new Date(Date.UTC(2024, 0, 1) + row * 60_000).toISOString() : null, detector,
      ...(detector === 'rule' ? { rule: pick(rng, ['cpu-high', '__proto__', 'constructor']) } : {}),
      metric: pick(rng, ['cpu', 'memory', null, '__proto__']), value: rng.next() < 0.9 ? rng.next() * 100 : null,
      score: rng.int(101), severity: pick(rng, severities), message: 'cpu 97 is unusual',
    };
  });
  return JSON.stringify({ meta: { tool: 'anomaly-hunter' }, anomalies }, null, rng.next() < 0.5 ? 1 : 0);
}

const JSON_PIECES = ['1000000000', '-1', '1e308', '9007199254740993', 'null', '"x"', '{}', '[]', 'NaN', '"critical"', '"rule"', '"__proto__"',
  '"constructor"', '"\\u0000"', '[[[[[[[[[[', '{"a":', ',', ':', '"', '0.5', 'true', '"9999-12-31T23:59:59Z"', '"+275760-09-13T00:00:00Z"'];

// ── Mutations ────────────────────────────────────────────────────────────────────────────────────────

const CSV_PIECES = ['"', '""', ',', ';', '\t', '\n', '\r\n', '\r', '\u0000', '\ufeff', 'NaN', 'Infinity', '-1.7e308', '1.7e308', '1e999',
  '9999-12-31T23:59:59Z', '0000-01-01', '-271821-04-20T00:00:00Z', '2024-02-30', '__proto__', 'constructor', ' ', '', '\u2028', 'é', '\ud800',
  '=cmd|"/c calc"!A1', '1,5', '"a\nb"', 'x'.repeat(5000), ','.repeat(300), '-', 'NA', 'null'];
const YAML_PIECES = ['"', "'", ':', '- ', '  ', '\n', '{', '}', '[', ']', '&a', '*a', '!!python/object', '<<: *a', '~', 'null', '1e309', '-1e309', '.nan', '.inf',
  '__proto__', 'constructor', '/dev/zero', '../../../../etc/passwd', 'x'.repeat(3000), '\t', '#', '|', '>', '%YAML 1.2', '---', '...', '\u0000', '0x10', '5m', '1y', '999999999d'];

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.int(list.length)];
}

function mutate(rng: Rng, text: string, pieces: readonly string[]): string {
  let s = text;
  const n = 1 + rng.int(6);
  for (let k = 0; k < n; k++) {
    const at = rng.int(s.length + 1);
    switch (rng.int(9)) {
      case 0: s = s.slice(0, at) + pick(rng, pieces) + s.slice(at); break; // insert a piece
      case 1: s = s.slice(0, at) + s.slice(at + 1 + rng.int(20)); break; // delete a few characters
      case 2: s = s.slice(0, at) + String.fromCharCode(rng.int(128)) + s.slice(at + 1); break; // replace one
      case 3: { // duplicate a line
        const lines = s.split('\n');
        const i = rng.int(lines.length);
        lines.splice(i, 0, lines[i]);
        s = lines.join('\n');
        break;
      }
      case 4: { // swap two lines
        const lines = s.split('\n');
        const i = rng.int(lines.length), j = rng.int(lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
        s = lines.join('\n');
        break;
      }
      case 5: s = s.slice(0, Math.max(1, at)); break; // truncate
      case 6: s = s.slice(0, at) + pick(rng, pieces).repeat(1 + rng.int(50)) + s.slice(at); break; // a run
      case 7: { // replace a field/value on a line
        const lines = s.split('\n');
        const i = rng.int(lines.length);
        const parts = lines[i].split(/([,;\t:])/);
        parts[rng.int(parts.length)] = pick(rng, pieces);
        lines[i] = parts.join('');
        s = lines.join('\n');
        break;
      }
      default: break; // keep (some cases are the seed itself)
    }
  }
  return s;
}

// ── Cases ────────────────────────────────────────────────────────────────────────────────────────────

interface Case {
  id: number;
  argv: string[];
  files: Record<string, string>;
}

function makeCase(rng: Rng, id: number): Case {
  const csv = rng.next() < 0.85 ? mutate(rng, seedCsv(rng), CSV_PIECES) : seedCsv(rng);
  const rules = rng.next() < 0.8 ? mutate(rng, RULES_SEED, YAML_PIECES) : RULES_SEED;
  const files: Record<string, string> = { 'data.csv': csv, 'rules.yaml': rules };
  const withRules = rng.next() < 0.5;
  let argv: string[];
  switch (rng.int(WITH_SEND ? 4 : 3)) {
    case 3:
      files['results.json'] = rng.next() < 0.85 ? mutate(rng, seedResults(rng), JSON_PIECES) : seedResults(rng);
      argv = ['send', 'results.json', '--dry-run', '--format', pick(rng, ['zapier', 'slack', 'alertmanager'])];
      break;
    case 0: {
      argv = ['analyze', 'data.csv', '--format', pick(rng, ['text', 'json', 'csv'])];
      if (withRules) argv.push('--rules', 'rules.yaml');
      if (rng.next() < 0.2) argv.push('--detectors', pick(rng, ['iforest', 'forecast', 'iforest,forecast']));
      if (rng.next() < 0.2) argv.push('--out', pick(rng, ['out.json', 'data.csv', 'rules.yaml', 'sub/none.json']));
      break;
    }
    case 1:
      argv = ['check', 'rules.yaml'];
      if (rng.next() < 0.3) argv.push('--data', 'data.csv');
      if (rng.next() < 0.3) argv.push('--format', 'json');
      break;
    default:
      argv = ['stream', 'data.csv'];
      if (withRules) argv.push('--rules', 'rules.yaml');
      if (rng.next() < 0.2) argv.push('--format', 'nab', '--metrics', 'cpu');
  }
  return { id, argv, files };
}

interface Outcome { c: Case; code: number | null; signal: string | null; ms: number; stderr: string; problem: string | null }

const STACK = /\n\s+at .+:\d+:\d+\)?$|internal error|Error: .*\n\s+at /m;

function runCase(c: Case, base: string): Promise<Outcome> {
  const dir = join(base, String(c.id));
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(c.files)) writeFileSync(join(dir, name), text);
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...c.argv], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ANOMALY_HUNTER_WEBHOOK_URL: '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < 20_000) stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      let problem: string | null = null;
      if (signal) problem = ms >= TIMEOUT_MS ? `hang (killed after ${TIMEOUT_MS / 1000} s)` : `killed by ${signal}`;
      else if (code === null || ![0, 1, 2].includes(code)) problem = `exit code ${code}`;
      else if (STACK.test(stderr)) problem = 'stack trace or internal error on stderr';
      rmSync(dir, { recursive: true, force: true });
      done({ c, code, signal, ms, stderr, problem });
    });
  });
}

async function main(): Promise<void> {
  const rng = createRng(SEED);
  const cases = Array.from({ length: CASES }, (_, i) => makeCase(rng, i));
  const base = mkdtempSync(join(tmpdir(), 'ah-fuzz-'));
  const outcomes: Outcome[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < cases.length) {
      const c = cases[next++];
      const o = await runCase(c, base);
      outcomes.push(o);
      if (o.problem) process.stderr.write(`case ${c.id}: ${o.problem}: ${c.argv.join(' ')}\n${o.stderr.slice(0, 600)}\n`);
      if (outcomes.length % 250 === 0) process.stderr.write(`${outcomes.length}/${cases.length} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  rmSync(base, { recursive: true, force: true });

  const failures = outcomes.filter((o) => o.problem);
  if (failures.length) {
    const dir = join(root, 'bench/.data/fuzz-failures');
    mkdirSync(dir, { recursive: true });
    for (const f of failures) {
      const d = join(dir, `seed${SEED}-case${f.c.id}`);
      mkdirSync(d, { recursive: true });
      for (const [name, text] of Object.entries(f.c.files)) writeFileSync(join(d, name), text);
      writeFileSync(join(d, 'command.txt'), `node ${cli} ${f.c.argv.join(' ')}\n# ${f.problem}\n${f.stderr}`);
    }
  }
  const byCommand = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const k = o.c.argv[0];
    if (!byCommand.has(k)) byCommand.set(k, []);
    byCommand.get(k)!.push(o);
  }
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const q = (p: number): string => (ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] / 1000).toFixed(2);
  console.log(`fuzz: seed ${SEED}, ${outcomes.length} cases in ${((performance.now() - t0) / 1000).toFixed(0)} s (${JOBS} at a time)`);
  for (const [k, list] of byCommand) {
    const codes = [0, 1, 2].map((c) => `${list.filter((o) => o.code === c).length}×${c}`).join(', ');
    console.log(`  ${k.padEnd(8)} ${String(list.length).padStart(5)} cases: exit ${codes}`);
  }
  console.log(`  time per case: median ${q(0.5)} s, p99 ${q(0.99)} s, max ${q(1)} s`);
  console.log(`  problems: ${failures.length}${failures.length ? ' (saved under bench/.data/fuzz-failures/)' : ''}`);
  process.exitCode = failures.length ? 1 : 0;
}

void main();
