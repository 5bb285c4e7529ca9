import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../src/core/random.ts';
import type { Rng } from '../../src/core/random.ts';
import { parseDuration, formatDuration } from '../../src/core/rules/duration.ts';
import { prepareTests, runPrepared, runWithPromtool } from '../../src/node/promRuleTests.ts';
import type { AlertOut } from '../../src/core/promrules/engine.ts';
import { needPromtool, promtool } from './promtool.ts';
import { PRINTF_CASES } from './printfCases.ts';
import type { GoValue } from '../../src/core/promrules/goFormat.ts';

/**
 * Our rule-test runner against the real `promtool test rules` (Debian's prometheus package): the same test files
 * must give the same pass/fail per case. Expectations of the random files are our engine's alerts at every
 * evaluation step, with some changed on purpose (a third of the files are our rules files, exported as
 * export-rules does), so promtool passing exactly the unchanged cases means Prometheus
 * produced the same alerts as we did at every step.
 */

const fixtures = join(process.cwd(), 'test/prometheus');

/** `alertname@ms` of the cases promtool reports as failed (its "alertname: X, time: T," lines). */
function promtoolFailures(output: string): string[] {
  return [...output.matchAll(/alertname: (\S+), time: (\S+?), ?\n/g)].map((m) => `${m[1]}@${m[2] === '0s' ? 0 : parseDuration(m[2])}`).sort();
}

async function compare(path: string): Promise<{ ours: string[]; theirs: string[]; cases: number; output: string }> {
  const p = await prepareTests(path);
  assert.deepEqual(p.errors, []);
  assert.deepEqual(p.needsPromtool, []);
  const result = runPrepared(p);
  assert.deepEqual(result.errors, []);
  const ours = result.cases.filter((c) => !c.pass).map((c) => `${c.test.alertname}@${c.test.evalTimeMs}`).sort();
  const run = await runWithPromtool(p);
  assert.ok(run.status === 0 || run.status === 1, run.output);
  assert.doesNotMatch(run.output, /, err: /);
  return { ours, theirs: promtoolFailures(run.output), cases: result.cases.length, output: run.output };
}

test('hand-written test files: anomaly-hunter test and promtool test rules fail the same cases', async (t) => {
  if (!needPromtool(t)) return;
  const sem = await compare(join(fixtures, 'semantics.test.yaml'));
  assert.deepEqual(sem.ours, sem.theirs, sem.output);
  assert.deepEqual(sem.ours, ['ErrorsFlapping@540000', 'NoTraffic@240000', 'SlowRequests@779000']);
  const ours = await compare(join(fixtures, 'ours.test.yaml'));
  assert.deepEqual(ours.ours, ours.theirs, ours.output);
  assert.deepEqual(ours.ours, ['cpu-high@360000']);
});

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

function randomValues(rng: Rng): string {
  const parts: string[] = [];
  let n = 0;
  while (n < 24) {
    const k = 1 + rng.int(4);
    switch (rng.int(9)) {
      case 0: parts.push('_'); n += 1; break;
      case 1: parts.push(`_x${k}`); n += k; break;
      case 2: parts.push('stale'); n += 1; break;
      case 3: parts.push(`${rng.int(10)}+${pick(rng, ['1', '0.1', '2.5'])}x${k}`); n += k + 1; break;
      case 4: parts.push(`${rng.int(10)}-${pick(rng, ['1', '0.3'])}x${k}`); n += k + 1; break;
      case 5: parts.push(`${rng.int(10)}x${k}`); n += k + 1; break;
      case 6: parts.push(pick(rng, ['NaN', '1234567', '0.00001', '-3'])); n += 1; break;
      default: parts.push(String(rng.int(10))); n += 1;
    }
  }
  return parts.join(' ');
}

/** Prometheus's formatting functions and Go's printf, as alert templates use them (the same in both runners). */
const GO_PIPELINES = [
  '{{ $value | humanize }}', '{{ humanize1024 $value }}', '{{ $value | humanizePercentage }}', '{{ humanizeDuration .Value }}',
  '{{ printf "%.2f" $value }}', '{{ $value | printf "%8.3e|%g|%-7.1f|" }}', '{{ printf "%.0f %v %d" $value $value }}',
  '{{ printf "%+06.2f%%" $value }}', '{{ $value | humanizeTimestamp }}', '{{ $labels.job | toUpper }} {{ .Labels.inst | title }}',
  '{{ "host:9100" | stripPort }} {{ printf "%s=%q" $labels.job $labels.inst }}',
  '{{ printf "%d|%#x|%[1]v|%*.*f|%x" 42 255 7 2 $value $value }}', '{{ $labels.job }}: {{ $labels.job | humanize }} (Go\'s error replaces all)',
  'trim {{- " " -}} \n {{ $labels.inst -}} \n!',
  // Go's control structures, comparisons, variables and comments.
  '{{ if gt $value 5.0 }}high {{ $value }}{{ else if eq $labels.job "a" }}job a{{ else }}low{{ end }}',
  '{{ range $k, $v := $labels }}{{ $k }}={{ $v }},{{ end }}{{ with $labels.inst }}[{{ . }}]{{ else }}no inst{{ end }}{{/* note */}}',
  '{{ $x := $value }}{{ if and (ge $x 2.0) (lt $x 8.0) }}mid{{ end }} {{ not (eq $labels.job "b") }} {{ or $labels.nope "none" }}',
  '{{ if gt $value 5 }}x{{ end }} (float64 and int do not compare: the error replaces all)',
];
/** The same in our rules files' templates, exported for promtool by export-rules. */
const OUR_PIPELINES = ['{{ value | humanize }}', '{{ printf "%.2f" value }}', '{{ value | humanizePercentage }} of {{ threshold | humanizePercentage }}', '{{ labels.job | toUpper }}'];

const MATCHERS = ['', '{job="a"}', '{job!="b"}', '{job=~"a|c"}', '{inst!~"2"}', '{job="a", inst="1"}', '{job=""}'];
const OPS = ['>', '>=', '<', '<=', '==', '!='];

function randomRules(rng: Rng): string {
  let out = 'groups:\n  - name: random\n    rules:\n';
  const count = 2 + rng.int(3);
  for (let i = 0; i < count; i++) {
    const name = rng.int(5) === 0 && i > 0 ? 'R0' : `R${i}`;
    const metric = pick(rng, ['m', 'n']) + pick(rng, MATCHERS);
    const thr = String(rng.int(10));
    const op = pick(rng, OPS);
    const expr = rng.int(4) === 0 ? `${thr} ${op} ${metric}` : `${metric} ${op} ${thr}`;
    out += `      - alert: ${name}\n        expr: ${JSON.stringify(expr)}\n`;
    const f = pick(rng, [0, 0, 30_000, 60_000, 120_000, 180_000]);
    if (f) out += `        for: ${formatDuration(f)}\n`;
    const k = pick(rng, [0, 0, 60_000, 90_000, 120_000, 300_000]);
    if (k) out += `        keep_firing_for: ${formatDuration(k)}\n`;
    out += `        labels:\n          severity: s${i}\n`;
    if (rng.int(3) === 0) out += '          who: "{{ $labels.job }}"\n';
    if (rng.int(4) === 0) out += '          gone: "{{ $labels.nope }}"\n';
    out += '        annotations:\n          v: "{{ $value }} on {{ $labels.job }}/{{ .Labels.inst }}"\n';
    if (rng.int(2) === 0) out += `          f: ${JSON.stringify(pick(rng, GO_PIPELINES))}\n`;
    if (rng.int(3) === 0) out += '          at: "{{ $externalLabels.region }} {{ with query \\"time()\\" }}{{ . | first | value | humanizeTimestamp }}{{ end }}"\n';
  }
  return out;
}

/** Our rules file (SPEC §1): both runners read it through export-rules' translation. */
function randomOurRules(rng: Rng): string {
  let out = 'version: 1\ndefaults: {severity: minor}\nrules:\n';
  const count = 2 + rng.int(3);
  for (let i = 0; i < count; i++) {
    out += `  - name: r${i}\n    metric: ${pick(rng, ['m', 'n'])}\n    op: "${pick(rng, OPS)}"\n    threshold: ${pick(rng, ['0', '2.5', '5', '7', '9'])}\n`;
    const f = pick(rng, [0, 0, 30_000, 60_000, 120_000]);
    if (f) out += `    for: ${formatDuration(f)}\n`;
    const k = pick(rng, [0, 0, 60_000, 90_000, 300_000]);
    if (k) out += `    keep_firing_for: ${formatDuration(k)}\n`;
    if (rng.int(2) === 0) out += `    severity: ${pick(rng, ['critical', 'major', 'warning'])}\n`;
    if (rng.int(2) === 0) out += '    labels: {team: infra}\n';
    out += '    annotations:\n      summary: "{{ metric }} {{ value }} {{ op }} {{ threshold }} on {{ labels.job }} ({{ labels.team }}, {{ severity }}) at {{ timestamp }}"\n';
    if (rng.int(2) === 0) out += `      f: ${JSON.stringify(pick(rng, OUR_PIPELINES))}\n`;
  }
  return out;
}

interface RandomFile { ruleText: string; test: Record<string, unknown> }

function randomFile(rng: Rng): RandomFile {
  const evalMs = pick(rng, [15_000, 30_000, 60_000]);
  const series: { series: string; values: string }[] = [];
  for (const metric of ['m', 'n']) {
    for (const [job, inst] of [['a', '1'], ['a', '2'], ['b', '1'], ['c', '2']]) {
      if (rng.int(3) === 0) continue;
      series.push({ series: `${metric}{job="${job}", inst="${inst}"}`, values: randomValues(rng) });
    }
  }
  const interval = pick(rng, [30_000, 60_000, 120_000]);
  return {
    ruleText: rng.int(3) === 0 ? randomOurRules(rng) : randomRules(rng),
    test: {
      evaluation_interval: formatDuration(evalMs),
      tests: [{ interval: formatDuration(interval), external_labels: { region: 'eu' }, input_series: series, alert_rule_test: [] }],
    },
  };
}

function expOf(alerts: readonly AlertOut[]): { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[] {
  return alerts.map((a) => {
    const labels = { ...a.labels };
    delete labels.alertname;
    return { exp_labels: labels, exp_annotations: a.annotations };
  });
}

test('seeded random rules and series: promtool fails exactly the cases we fail (≥ 500 cases)', async (t) => {
  if (!needPromtool(t)) return;
  const seed = Number(process.env.PROMDIFF_SEED ?? 20261206);
  const files = Number(process.env.PROMDIFF_FILES ?? 12);
  const rng = createRng(seed);
  const dir = mkdtempSync(join(tmpdir(), 'ah-promdiff-'));
  let cases = 0;
  let changed = 0;
  let firing = 0;
  for (let f = 0; f < files; f++) {
    const rf = randomFile(rng);
    const ruleFile = rf.ruleText.startsWith('version: 1') ? `r${f}.rules.yaml` : `r${f}.yml`;
    writeFileSync(join(dir, ruleFile), rf.ruleText);
    const testPath = join(dir, `t${f}.json`);
    const names = [...new Set([...rf.ruleText.matchAll(/(?:alert|name): ([rR][0-9]+)/g)].map((m) => m[1]))];
    const evalMs = parseDuration(rf.test.evaluation_interval as string);
    const times: number[] = [];
    for (let ts = 0; ts <= 30 * 60_000; ts += evalMs) times.push(ts + (rng.int(6) === 0 ? rng.int(evalMs / 1000) * 1000 : 0));
    const group = (rf.test.tests as Record<string, unknown>[])[0];
    group.alert_rule_test = names.flatMap((name) => [...new Set(times)].map((ms) => ({ eval_time: formatDuration(ms), alertname: name, exp_alerts: [] as unknown[] })));
    writeFileSync(testPath, JSON.stringify({ rule_files: [ruleFile], ...rf.test }));
    // Our engine's alerts become the expectations; about one case in eight is then changed on purpose.
    const first = runPrepared(await prepareTests(testPath));
    const expected = first.cases.map((c) => expOf(c.got));
    const mutated = new Set<number>();
    expected.forEach((exp, i) => {
      if (rng.int(8) !== 0) return;
      mutated.add(i);
      if (exp.length && rng.int(2) === 0) exp.pop();
      else if (exp.length) exp[0].exp_labels = { ...exp[0].exp_labels, job: 'zz' };
      else exp.push({ exp_labels: { job: 'a' }, exp_annotations: {} });
    });
    (group.alert_rule_test as { exp_alerts: unknown[] }[]).forEach((c, i) => { c.exp_alerts = expected[i]; });
    writeFileSync(testPath, JSON.stringify({ rule_files: [ruleFile], ...rf.test }));
    const r = await compare(testPath);
    const oursMutated = [...mutated].map((i) => `${first.cases[i].test.alertname}@${first.cases[i].test.evalTimeMs}`).sort();
    assert.deepEqual(r.ours, oursMutated, `seed ${seed} file ${f}: our runner fails other cases than the changed ones`);
    assert.deepEqual(r.theirs, r.ours, `seed ${seed} file ${f} (${testPath}): promtool and anomaly-hunter disagree\n${r.output.slice(0, 3000)}`);
    cases += r.cases;
    changed += mutated.size;
    firing += first.cases.filter((c) => c.got.length > 0).length;
  }
  t.diagnostic(`seed ${seed}: ${cases} cases in ${files} files, ${firing} with firing alerts, ${changed} changed on purpose`);
  assert.ok(cases >= 500, `only ${cases} cases`);
  assert.ok(firing >= cases / 5, `only ${firing} cases with firing alerts`);
});

/** A template's literal of a value: an int as it is, a float64 with '.' or an exponent, a string quoted. */
const goLiteral = (v: GoValue): string => (typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : typeof v === 'string' ? JSON.stringify(v) : Number.isInteger(v) && Math.abs(v) < 1e21 ? `${v}.0` : String(v));

test("printf's frozen cases (test/unit/printfCases.ts): promtool renders each as the text the unit test expects", (t) => {
  if (!needPromtool(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'ah-printf-'));
  let rules = 'groups:\n  - name: printf\n    rules:\n';
  const cases = PRINTF_CASES.map(([format, args, want], i) => {
    const template = `{{ printf ${JSON.stringify(format)}${args.map((a) => ` ${goLiteral(a)}`).join('')} }}`;
    rules += `      - alert: P${i}\n        expr: vector(1)\n        annotations:\n          s: ${JSON.stringify(template)}\n`;
    return { eval_time: '0m', alertname: `P${i}`, exp_alerts: [{ exp_labels: {}, exp_annotations: { s: want } }] };
  });
  writeFileSync(join(dir, 'printf.yml'), rules);
  writeFileSync(join(dir, 'printf.test.json'), JSON.stringify({ rule_files: ['printf.yml'], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: [], alert_rule_test: cases }] }));
  const run = promtool(['test', 'rules', 'printf.test.json'], dir);
  assert.equal(run.status, 0, run.out.slice(0, 3000));
  assert.match(run.out, /SUCCESS/);
});
