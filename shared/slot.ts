/**
 * A value one part of a process installs and another reads where it needs it, e.g. the store a test preload
 * installs for the program's runs or bundles (plan/stackRun.ts, components/serverless/bundleStore.ts).
 */
export interface Slot<T> {
    /** Sets (or, with undefined, removes) the value; returns the previous one. */
    use(value: T | undefined): T | undefined;
    /** The value set, if any. */
    current(): T | undefined;
}

export function slot<T>(): Slot<T> {
    let value: T | undefined;
    return {
        use(next) {
            const previous = value;
            value = next;
            return previous;
        },
        current: () => value,
    };
}
