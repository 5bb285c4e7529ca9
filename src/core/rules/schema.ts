import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import rulesSchema from '../../../rules/rules.schema.json' with { type: 'json' };

/** A JSON Schema node as used by the rules schema (draft-07 subset plus VS Code's message keywords). */
export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  description?: string;
  markdownDescription?: string;
  enum?: unknown[];
  enumDescriptions?: string[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  pattern?: string;
  patternErrorMessage?: string;
  errorMessage?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  definitions?: Record<string, SchemaNode>;
}

/** The rules file's JSON Schema (rules/rules.schema.json), the single source of its structure. */
export const RULES_SCHEMA = rulesSchema as unknown as SchemaNode;

// Compiled once per process: compiling costs milliseconds, validating microseconds.
let compiled: ValidateFunction | undefined;

/** Validates a plain JS value against the rules schema; returns every error (ajv allErrors). */
export function schemaErrors(value: unknown): ErrorObject[] {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    // Keywords VS Code's JSON/YAML language services read; ajv must know they are annotations.
    ajv.addVocabulary(['markdownDescription', 'enumDescriptions', 'patternErrorMessage', 'errorMessage']);
    compiled = ajv.compile(RULES_SCHEMA);
  }
  return compiled(value) ? [] : [...(compiled.errors ?? [])];
}

/** Follows a local `#/definitions/x` reference, merging the referring node's own annotations over it. */
export function resolveRef(node: SchemaNode): SchemaNode {
  let n = node;
  for (let hops = 0; n.$ref && hops < 10; hops++) {
    const name = n.$ref.replace(/^#\/definitions\//, '');
    const target = RULES_SCHEMA.definitions?.[name];
    if (!target) break;
    const { $ref: _ignored, ...own } = n;
    n = { ...target, ...own };
  }
  return n;
}

/**
 * The schema node describing the value at a path of keys and item indexes (numbers), or undefined
 * when the path leaves the schema (an unknown key).
 */
export function schemaAt(path: readonly (string | number)[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = resolveRef(RULES_SCHEMA);
  for (const seg of path) {
    if (!node) return undefined;
    if (typeof seg === 'number') node = node.items ? resolveRef(node.items) : undefined;
    else if (node.properties?.[seg]) node = resolveRef(node.properties[seg]);
    else if (typeof node.additionalProperties === 'object') node = resolveRef(node.additionalProperties);
    else return undefined;
  }
  return node;
}

/** The property names a mapping at `path` may hold (empty for free-form or unknown mappings). */
export function keysAt(path: readonly (string | number)[]): string[] {
  const node = schemaAt(path);
  return node?.properties ? Object.keys(node.properties) : [];
}
