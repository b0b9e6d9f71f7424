/** Exponential backoff with jitter, for retrying an unavailable Redis, Postgres or DynamoDB. */
export class Backoff {
    private attempt = 0;

    constructor(
        private readonly minMs: number,
        private readonly maxMs: number,
    ) {}

    /** The next delay: min * 2^attempt, capped at max, the upper half randomised so replicas spread out. */
    next(): number {
        const ceiling = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 20));
        this.attempt += 1;
        return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
    }

    reset(): void {
        this.attempt = 0;
    }

    get attempts(): number {
        return this.attempt;
    }
}
