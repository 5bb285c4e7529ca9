import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addCommands } from '../../src/extension/ctx.ts';
import type { CommandHandler } from '../../src/extension/ctx.ts';

test('addCommands fills the one command table and refuses an id added twice', () => {
  const ctx = { commands: new Map<string, CommandHandler>() };
  const jump = () => 1;
  addCommands(ctx, { 'anomalyHunter.nextAnomaly': jump, 'anomalyHunter.openSample': () => 'csv' });
  addCommands(ctx, { 'anomalyHunter.startStreaming': () => undefined });
  assert.deepEqual([...ctx.commands.keys()], ['anomalyHunter.nextAnomaly', 'anomalyHunter.openSample', 'anomalyHunter.startStreaming']);
  assert.equal(ctx.commands.get('anomalyHunter.nextAnomaly'), jump);
  assert.throws(() => addCommands(ctx, { 'anomalyHunter.nextAnomaly': () => 2 }), /anomalyHunter\.nextAnomaly is added twice/);
  assert.equal(ctx.commands.get('anomalyHunter.nextAnomaly'), jump);
});

test('every contributed command is added to the table, and registered only from it', () => {
  const dir = join(__dirname, '../../src/extension');
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => [f, readFileSync(join(dir, f), 'utf8')] as const);
  // Ids written out ('anomalyHunter.x': …) or through a constant ([SOME_COMMAND]: …, const SOME_COMMAND = 'anomalyHunter.x').
  const constants = new Map(sources.flatMap(([, s]) => [...s.matchAll(/const (\w+) = '(anomalyHunter\.\w+)'/g)].map((m) => [m[1], m[2]] as const)));
  const added = new Set(sources.flatMap(([, s]) => [...s.matchAll(/addCommands\(ctx, \{(?:([^\n]*)\}\);|([\s\S]*?)\n\s*\}\);)/g)]
    .flatMap((m) => [...(m[1] ?? m[2]).matchAll(/(?:^|\{)\s*(?:'(anomalyHunter\.\w+)'|\[(\w+)\]):/gm)].map((k) => k[1] ?? constants.get(k[2])))));
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
  const contributed: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
  assert.deepEqual(contributed.filter((id) => !added.has(id)), []);
  assert.deepEqual(sources.filter(([, s]) => s.includes('registerCommand(')).map(([f]) => f), ['main.ts']);
});
