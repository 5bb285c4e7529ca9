import type { Command, CommandContext, CommandEntry } from './command.ts';
import { InputError, UsageError } from '../node/errors.ts';
import { VERSION } from '../core/version.ts';

const commands: CommandEntry[] = [
  { name: 'analyze', summary: 'analyse a CSV with the detectors and report anomalies', load: async () => (await import('./commands/analyze.ts')).analyzeCommand },
  { name: 'check', summary: 'check a rules.yaml file against its schema and data', load: async () => (await import('./commands/check.ts')).checkCommand },
  { name: 'forecast', summary: "forecast one metric with Prophet's model and mark values outside the interval", load: async () => (await import('./commands/forecast.ts')).forecastCommand },
  { name: 'stream', summary: 'score each row of a (growing) CSV as it arrives, using only the past', load: async () => (await import('./commands/stream.ts')).streamCommand },
  { name: 'send', summary: 'send the incidents of a results file to a webhook (zapier, slack, alertmanager) or to Alertmanager', load: async () => (await import('./commands/send.ts')).sendCommand },
  { name: 'history', summary: 'incidents and alerts recorded by earlier runs, over time', load: async () => (await import('./commands/history.ts')).historyCommand },
  { name: 'export-rules', summary: 'export a rules.yaml file as a Prometheus rule file', load: async () => (await import('./commands/exportRules.ts')).exportRulesCommand },
  { name: 'test', summary: "run rule unit tests in promtool's format", load: async () => (await import('./commands/test.ts')).testCommand },
];

const usage = `anomaly-hunter ${VERSION} — find anomalies in metric CSVs

Usage: anomaly-hunter <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(14)}${c.summary}`).join('\n')}

Run 'anomaly-hunter <command> --help' for a command's options.
Exit codes: 0 success, 1 invalid input or failed operation, 2 usage error.`;

/** Runs the CLI with the given arguments; resolves to the exit code. Never throws. */
export async function main(argv: string[], ctx: Omit<CommandContext, 'argv'>): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout(usage + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    ctx.stdout(VERSION + '\n');
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    ctx.stderr(`anomaly-hunter: error: unknown command '${name}' (commands: ${commands.map((c) => c.name).join(', ')})\n`);
    return 2;
  }
  const command: Command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout(command.usage.trimEnd() + '\n');
    return 0;
  }
  try {
    return await command.run({ ...ctx, argv: rest });
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.stderr(`anomaly-hunter ${name}: error: ${e.message}\nRun 'anomaly-hunter ${name} --help' for usage.\n`);
      return 2;
    }
    if (e instanceof InputError) {
      const pos = e.path ? `${e.path}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}: ` : '';
      ctx.stderr(`${pos}error: ${e.message}\n`);
      return 1;
    }
    // A bug, not a user error: one line, no stack unless asked for.
    ctx.stderr(`anomaly-hunter ${name}: internal error: ${(e as Error).message}${ctx.env.ANOMALY_HUNTER_DEBUG ? '\n' + (e as Error).stack : ''}\n`);
    return 1;
  }
}

if (require.main === module) {
  const out = (s: string): void => { process.stdout.write(s); };
  const err = (s: string): void => { process.stderr.write(s); };
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); });
  main(process.argv.slice(2), { stdout: out, stderr: err, env: process.env, cwd: process.cwd() }).then((code) => {
    process.exitCode = code;
  });
}
