import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goActions } from '../../src/core/promrules/goTemplate.ts';

const parts = (t: string): [string, string | null][] => {
  const { actions, tail } = goActions(t);
  return [...actions.map((a): [string, string | null] => [a.literal, a.body]), [tail, null]];
};

test("a Go template's actions: trim markers trim beside them as Go's do, the first }} ends an action, an unclosed {{ is text", () => {
  assert.deepEqual(parts('CPU  \n {{- $value -}} \t % on'), [['CPU', '$value'], ['% on', null]]);
  // '-' without a space beside it is no marker: {{-3}} is the number -3.
  assert.deepEqual(parts('a {{-3}} b'), [['a ', '-3'], [' b', null]]);
  assert.deepEqual(parts('a {{- -}} b'), [['a', '-'], [' b', null]]);
  assert.deepEqual(parts('a {{-  -}} b'), [['a', ''], ['b', null]]);
  assert.deepEqual(parts('{{ a {{ b }} c'), [['', ' a {{ b '], [' c', null]]);
  assert.deepEqual(parts('x {{ a }} y {{ b'), [['x ', ' a '], [' y {{ b', null]]);
  // A long run of unclosed actions (an annotation being typed) is text, read in one pass.
  const open = '{{- '.repeat(20_000);
  assert.deepEqual(parts(open), [[open, null]]);
});
