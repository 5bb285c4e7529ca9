import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_SEED, sampleData } from '../../sample-data/sample.ts';

const ROOT = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The files `.vscodeignore` lets into the package: it ignores everything (`**`), then allows `!pattern`s. */
function shipped(file: string): boolean {
  const allowed = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1).trim());
  const toRegex = (glob: string): RegExp => new RegExp(`^${glob.split('**').map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('.*')}$`);
  return allowed.some((g) => toRegex(g).test(file));
}

function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(join(ROOT, file));
  assert.equal(b.toString('latin1', 1, 4), 'PNG', `${file} is a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

test('the extension icon is a shipped 128×128 PNG, with a gallery banner, categories and keywords', () => {
  assert.equal(pkg.icon, 'media/icon.png');
  assert.deepEqual(pngSize(pkg.icon), { width: 128, height: 128 });
  assert.ok(shipped(pkg.icon));
  assert.deepEqual(Object.keys(pkg.galleryBanner).sort(), ['color', 'theme']);
  assert.match(pkg.galleryBanner.color, /^#[0-9a-f]{6}$/i);
  // The Marketplace's categories (an unknown one fails publishing).
  const known = ['AI', 'Azure', 'Chat', 'Data Science', 'Debuggers', 'Education', 'Extension Packs', 'Formatters', 'Keymaps', 'Language Packs',
    'Linters', 'Machine Learning', 'Notebooks', 'Other', 'Programming Languages', 'SCM Providers', 'Snippets', 'Testing', 'Themes', 'Visualization'];
  for (const c of pkg.categories) assert.ok(known.includes(c), c);
  assert.ok(pkg.keywords.length >= 5 && pkg.keywords.length <= 30, 'vsce allows at most 30 keywords');
  // No invented links: none of the fields that would point at a site the project does not have.
  for (const key of ['repository', 'homepage', 'bugs', 'qna']) assert.equal(pkg[key], undefined, key);
});

test('the walkthrough has 4 to 6 steps, each with a completion event and shipped media', () => {
  const [walkthrough] = pkg.contributes.walkthroughs;
  const commands = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
  assert.ok(walkthrough.steps.length >= 4 && walkthrough.steps.length <= 6);
  for (const step of walkthrough.steps) {
    assert.ok(step.completionEvents.length > 0, step.id);
    for (const e of step.completionEvents) assert.match(e, /^(onCommand|onContext|onSettingChanged|onView):anomalyHunter\.\w+$/, `${step.id}: ${e}`);
    const media = step.media.svg ?? step.media.markdown ?? step.media.image;
    assert.ok(existsSync(join(ROOT, media)) && shipped(media), `${step.id}: ${media}`);
    assert.ok(step.media.altText || step.media.markdown, `${step.id} describes its image`);
    // The walkthrough page renders bold but shows code spans with their backticks.
    assert.ok(!step.description.includes('`'), `${step.id}: no backticks`);
    // Every button runs a contributed command (the palette has it too).
    for (const [, id] of step.description.matchAll(/\]\(command:(?:toSide:)?([\w.]+)/g)) assert.ok(commands.has(id), `${step.id}: ${id}`);
  }
});

test('Open Sample Data writes the repo\'s sample byte for byte, and ships the rules file it copies', () => {
  const { csv, labels, rows } = sampleData();
  assert.equal(csv, readFileSync(join(ROOT, 'sample-data/stream.csv'), 'utf8'));
  const stored = JSON.parse(readFileSync(join(ROOT, 'sample-data/stream.labels.json'), 'utf8'));
  assert.deepEqual({ seed: SAMPLE_SEED, rows, anomalies: labels }, { seed: stored.seed, rows: stored.rows, anomalies: stored.anomalies });
  assert.ok(shipped('rules/rules.yaml'));
  assert.ok(!shipped('sample-data/stream.csv'), 'the CSV is generated, not shipped');
  assert.match(readFileSync(join(ROOT, 'rules/rules.yaml'), 'utf8'), /^data: \.\.\/sample-data\/stream\.csv$/m);
});
