/**
 * Objects keyed by data (metric, column and rule names come from the user's files): a name like `__proto__`
 * or `constructor` must be a key like any other. Assigning `o['__proto__']` sets the prototype instead of a
 * property, and reading `o['constructor']` finds Object's. Write with setOwn, read with getOwn.
 */

/** `obj[key] = value` as an own, enumerable property, also when the key is `__proto__`. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** `obj[key]` when it is the object's own property, else undefined. */
export function getOwn<T>(obj: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return obj != null && Object.hasOwn(obj, key) ? obj[key] : undefined;
}
