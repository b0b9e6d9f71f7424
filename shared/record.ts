/**
 * Typed builders for records keyed by a known set of names (services, slots, suffixed config keys), so the
 * code that builds one per service states its key type once instead of casting `Object.fromEntries`.
 */

/** `{ [key]: value(key) }` for every key, typed by the keys. */
export function recordOf<K extends string, V>(keys: readonly K[], value: (key: K) => V): Record<K, V> {
    const record = {} as Record<K, V>;
    for (const key of keys) record[key] = value(key);
    return record;
}

/** The table with every key prefixed, e.g. prefixed("vote", { Cpu: a }) is { voteCpu: a }. */
export function prefixed<P extends string, T extends object>(
    prefix: P,
    table: T,
): { [K in keyof T & string as `${P}${K}`]: T[K] } {
    return Object.fromEntries(Object.entries(table).map(([key, value]) => [`${prefix}${key}`, value])) as {
        [K in keyof T & string as `${P}${K}`]: T[K];
    };
}

/**
 * A record's entry for a key, or an error naming who wanted it, the record and the key: per-service args
 * (images, sizes, groups) must cover every row of the service table they are used with.
 */
export function entryOf<T>(record: Readonly<Partial<Record<string, T>>>, what: string, key: string): T {
    const entry = record[key];
    if (entry === undefined) throw new Error(`${what} has no entry for "${key}"`);
    return entry;
}
