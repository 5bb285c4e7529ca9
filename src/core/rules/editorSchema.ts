/**
 * The schema the YAML extension (Red Hat's, through `yamlValidation`) checks rules-file names with: a rules file
 * (rules/rules.schema.json) or, when its top level has `groups:` and no `version:`, a Prometheus rule file — the
 * alert rules SRE teams keep as `*.rules.yml` — so that those are not marked as broken rules files. Written to
 * rules/rules-file.schema.json (`npm run schema`); a unit test keeps the two in step.
 */
import type { SchemaNode } from './schema.ts';

const LABELS: SchemaNode = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } };
const DURATION: SchemaNode = { type: ['string', 'number'], pattern: '^(0|([0-9]+(ms|s|m|h|d|w|y))+)$', patternErrorMessage: 'a Prometheus duration such as 30s, 5m, 1h30m' };

/** A Prometheus rule file (Prometheus documentation, "Recording rules" and "Alerting rules": the rule file's syntax). */
const PROMETHEUS_RULE_FILE: SchemaNode = {
  type: 'object',
  description: 'A Prometheus rule file: its alerting rules that compare a metric with a number run on CSV data too.',
  additionalProperties: false,
  required: ['groups'],
  properties: {
    groups: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'rules'],
        properties: {
          name: { type: 'string' }, interval: DURATION, query_offset: DURATION, limit: { type: 'integer', minimum: 0 }, labels: LABELS,
          rules: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['expr'],
              properties: {
                alert: { type: 'string' }, record: { type: 'string' }, expr: { type: ['string', 'number'] }, for: DURATION, keep_firing_for: DURATION,
                labels: LABELS, annotations: LABELS,
              },
            },
          },
        },
      },
    },
  },
};

/** The editor's schema of a rules-file name, from the rules file's own schema. */
export function editorSchema(rules: SchemaNode & { $schema?: string; $id?: string; title?: string }): Record<string, unknown> {
  const { $schema, title, description, definitions, ...own } = rules;
  return {
    $schema,
    $id: 'https://anomaly-hunter.invalid/rules-file.schema.json',
    title,
    description: `${description ?? ''} Or a Prometheus rule file (groups:).`.trim(),
    definitions: { ...definitions, prometheusRuleFile: PROMETHEUS_RULE_FILE },
    if: { type: 'object', required: ['groups'], not: { required: ['version'] } },
    then: { $ref: '#/definitions/prometheusRuleFile' },
    else: (({ $id: _id, ...rest }) => rest)(own as SchemaNode & { $id?: string }),
  };
}
