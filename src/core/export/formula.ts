// A decimal or exponent number, which spreadsheets read as a number, never as a formula.
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// OWASP "CSV Injection": a cell starting with = + - @ tab or CR may be run as a formula.
const FORMULA_START = /^[=+\-@\t\r]/;

/** True when a spreadsheet could run this text as a formula: it starts with = + - @ tab or CR and is not a plain number. */
export function looksLikeFormula(text: string): boolean {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text);
}

/**
 * Text a spreadsheet shows but never runs (OWASP CSV injection guidance): a leading `'` on text
 * that looks like a formula; plain numbers such as "-3.5" and everything else unchanged.
 */
export function neutraliseFormula(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}
