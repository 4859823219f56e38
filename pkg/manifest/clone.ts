// A deep copy of a parsed document's data (plain objects, arrays and scalars, as yaml and
// fast-parse.ts give them and JSON.parse gives live objects), several times faster than
// structuredClone, which serialises its argument first. Anything else a YAML tag can make
// (a Map for !!omap, a Set for !!set, a Uint8Array for !!binary) is copied by structuredClone.

/** A deep copy of `value`, keeping key order, undefined-valued keys and a `__proto__` key as an own key. */
export function cloneData<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneData(value[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const v = cloneData((value as Record<string, unknown>)[key]);
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out as T;
}
