// Writes rules/rules-file.schema.json, the schema of rules-file names for the YAML extension, from the rules
// schema (src/core/rules/editorSchema.ts). Run after changing rules/rules.schema.json: `npm run schema`.
import { readFileSync, writeFileSync } from 'node:fs';
import { editorSchema } from '../src/core/rules/editorSchema.ts';

const rules = JSON.parse(readFileSync('rules/rules.schema.json', 'utf8'));
writeFileSync('rules/rules-file.schema.json', JSON.stringify(editorSchema(rules), null, 2) + '\n');
