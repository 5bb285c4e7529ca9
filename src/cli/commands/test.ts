import { relative, resolve } from 'node:path';
import { caseTitle, sideBySide } from '../../core/promrules/report.ts';
import { prepareTests, runPrepared, runWithPromtool } from '../../node/promRuleTests.ts';
import type { LocatedError } from '../../node/promRuleTests.ts';
import type { Command } from '../command.ts';
import { parseCommandArgs } from '../command.ts';
import { UsageError } from '../../node/errors.ts';

const usage = `Usage: anomaly-hunter test <tests.yaml>… [--promtool]

Runs rule unit tests written in promtool's format (SPEC §8): rule_files (our rules files or Prometheus
rule files), evaluation_interval, tests[].interval, input_series in expanding notation (a+bxn, a-bxn,
axn, _, _xn, stale) and alert_rule_test cases (eval_time, alertname, exp_alerts with exp_labels and
exp_annotations). Alerts are evaluated as Prometheus evaluates them: for, keep_firing_for, pending
then firing, a 5-minute lookback, stale markers, the series' labels plus the rule's.

Our engine evaluates alerting rules whose expr is a series selector compared with a number, and the
templates $value, $labels.x and $externalLabels.x; a file with other PromQL (or recording rules, or
promql_expr_test) needs promtool.

Options:
  --promtool   hand files that need promtool to 'promtool test rules' (found on the PATH)
  -h, --help   show this help

Exit codes: 0 every test passed, 1 a test failed or a file has errors, 2 usage error.
`;

/** \`test <tests.yaml>…\` (SPEC §8). */
export const testCommand: Command = {
  usage,
  async run(ctx) {
    const { values, positionals } = parseCommandArgs(ctx.argv, { promtool: { type: 'boolean' } });
    if (values.help) { ctx.stdout(usage); return 0; }
    if (positionals.length === 0) throw new UsageError('missing the test file');
    const show = (p: string): string => relative(ctx.cwd, p) || p;
    const where = (e: LocatedError): string => `${show(e.path)}${e.line ? `:${e.line}:${e.column}` : ''}`;
    let failed = false;
    for (const given of positionals) {
      const p = await prepareTests(resolve(ctx.cwd, given));
      if (p.errors.length) {
        if (p.errors.some((e) => e.line === 0 && e.path === p.path && e.message === 'no such file')) throw new UsageError(`${given}: no such file`);
        for (const e of p.errors) ctx.stderr(`${where(e)}: error: ${e.message}\n`);
        failed = true;
        continue;
      }
      if (p.needsPromtool.length) {
        if (!values.promtool) {
          for (const e of p.needsPromtool) ctx.stderr(`${where(e)}: error: ${e.message}: this needs promtool (run with --promtool)\n`);
          failed = true;
          continue;
        }
        const r = await runWithPromtool(p);
        ctx.stdout(`${show(p.path)}: run by promtool\n${r.output.replace(/\n+$/, '')}\n`);
        if (r.status !== 0) failed = true;
        continue;
      }
      const result = runPrepared(p);
      const passed = result.cases.filter((c) => c.pass).length;
      const bad = result.cases.filter((c) => !c.pass);
      for (const e of result.errors) ctx.stderr(`${show(p.path)}:${e.at.line}:${e.at.column}: error: ${e.message}\n`);
      for (const c of bad) {
        ctx.stdout(`${show(p.path)}:${c.test.evalTimeAt.line}:${c.test.evalTimeAt.column}: FAIL ${caseTitle(c)}\n${sideBySide(c.exp, c.got)}\n`);
      }
      ctx.stdout(`${show(p.path)}: ${passed} passed, ${bad.length} failed${result.errors.length ? `, ${result.errors.length} test group${result.errors.length > 1 ? 's' : ''} could not run` : ''}\n`);
      if (bad.length || result.errors.length) failed = true;
    }
    return failed ? 1 : 0;
  },
};
