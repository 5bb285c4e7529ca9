import { analyzeCommand } from './commands/analyze.ts';
import { checkCommand } from './commands/check.ts';
import { exportRulesCommand } from './commands/exportRules.ts';
import { forecastCommand } from './commands/forecast.ts';
import { historyCommand } from './commands/history.ts';
import { sendCommand } from './commands/send.ts';
import { streamCommand } from './commands/stream.ts';
import { testCommand } from './commands/test.ts';
import type { Command, CommandContext } from './command.ts';
import { InputError, UsageError } from '../node/errors.ts';
import { VERSION } from '../core/version.ts';

const commands: Command[] = [analyzeCommand, checkCommand, forecastCommand, streamCommand, sendCommand, historyCommand, exportRulesCommand, testCommand];

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
  const command = commands.find((c) => c.name === name);
  if (!command) {
    ctx.stderr(`anomaly-hunter: error: unknown command '${name}' (commands: ${commands.map((c) => c.name).join(', ')})\n`);
    return 2;
  }
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
