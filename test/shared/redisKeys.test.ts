import * as assert from "assert";
import { REDIS_KEYS, REDIS_USERS } from "../../shared/appContract";

/**
 * ElastiCache Serverless runs in cluster mode only and refuses multi-key commands whose keys hash to different
 * slots (CROSSSLOT): the worker's BLMOVE/LMOVE and MULTI span the queue's keys, so all must share one slot.
 * The slot is computed as the Redis Cluster specification defines it (CRC16/XMODEM of the key, or of its first
 * non-empty {hash tag}, mod 16384), checked against the specification's own values.
 */
function crc16(text: string): number {
    let crc = 0;
    for (const byte of Buffer.from(text, "utf8")) {
        crc ^= byte << 8;
        for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    return crc;
}

function calculateSlot(key: string): number {
    const open = key.indexOf("{");
    const close = open >= 0 ? key.indexOf("}", open + 1) : -1;
    const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
    return crc16(hashed) % 16384;
}
describe("Redis keys of the vote queue (shared/appContract.ts)", () => {
    it("computes slots as Redis does (the cluster specification's CRC16 check value; CLUSTER KEYSLOT of known keys)", () => {
        assert.strictEqual(crc16("123456789"), 0x31c3);
        assert.strictEqual(calculateSlot("foo"), 12182);
        assert.strictEqual(calculateSlot("{user1000}.following"), calculateSlot("user1000"));
    });

    it("all hash to one cluster slot, and the queue keeps the original app's name `votes`", () => {
        const slots = Object.values(REDIS_KEYS).map((key) => calculateSlot(key));
        assert.deepStrictEqual(new Set(slots).size, 1, `slots ${JSON.stringify(REDIS_KEYS)}: ${slots.join(", ")}`);
        assert.strictEqual(REDIS_KEYS.queue, "votes");
    });

    it("every key a client's user may touch is one of them (a new key outside the slot fails above)", () => {
        const all = new Set<string>(Object.values(REDIS_KEYS));
        for (const [client, user] of Object.entries(REDIS_USERS))
            for (const key of user.keys) assert.ok(all.has(key), `${client}: ${key}`);
    });
});
