/**
 * Writes sample-data/stream.csv and stream.labels.json (see sample.ts: the same seeded data the extension's
 * Open Sample Data writes into a workspace).
 * Usage: npm run sample-data [-- --days N --out DIR]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_SEED, sampleData } from './sample.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const days = Number(opt('days', '14'));
const outDir = opt('out', new URL('.', import.meta.url).pathname);
const { csv, labels, rows } = sampleData(days);
writeFileSync(join(outDir, 'stream.csv'), csv);
writeFileSync(join(outDir, 'stream.labels.json'), JSON.stringify({ generator: 'sample-data/generate.ts', seed: SAMPLE_SEED, stepMinutes: 1, rows, anomalies: labels }, null, 2) + '\n');
console.log(`wrote ${rows} rows and ${labels.length} labelled anomalies to ${outDir}`);
