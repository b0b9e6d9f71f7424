import { deepFreeze } from "../../shared/config/reader";

/**
 * `read` kept per key for the file that calls it: the first call's promise, its value frozen (no test can
 * change what another reads), is what every later call gets. A failed read is not kept: the next test reads
 * again and reports its own failure.
 */
export function readOncePerKey<K, T>(read: (key: K) => Promise<T>): (key: K) => Promise<T> {
    const kept = new Map<K, Promise<T>>();
    return (key) => {
        let found = kept.get(key);
        if (!found) {
            found = read(key).then(deepFreeze);
            kept.set(key, found);
            found.catch(() => kept.delete(key));
        }
        return found;
    };
}
