import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APP_TEST_CACHE_DIR, sharedDirectory } from "./testCache";
import { PROJECT_ROOT } from "../../plan/projectRoot";

describe("the app tests' shared directories (test/app/testCache.ts)", () => {
    let root: string;
    beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), "app-test-cache-"))));
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    const make = (content: string) => async (dir: string) => fs.writeFileSync(path.join(dir, "made"), content);
    const made = (dir: string | undefined) => fs.readFileSync(path.join(dir ?? "", "made"), "utf8");

    it("makes a directory once and gives it to every later caller with the same key", async () => {
        const first = await sharedDirectory("data", "k1", make("first"), root);
        const again = await sharedDirectory("data", "k1", make("second"), root);
        assert.strictEqual(again, first);
        assert.strictEqual(made(again), "first");
    });

    it("a new key replaces its family's other entries, and leaves other families alone", async () => {
        await sharedDirectory("data", "old", make("old"), root);
        await sharedDirectory("other", "kept", make("kept"), root);
        const current = await sharedDirectory("data", "new", make("new"), root);
        assert.strictEqual(made(current), "new");
        assert.deepStrictEqual(fs.readdirSync(root).sort(), ["data-new", "other-kept"]);
    });

    it("a failed make leaves nothing behind", async () => {
        const failing = async () => {
            throw new Error("initdb failed");
        };
        await assert.rejects(sharedDirectory("data", "k", failing, root), /initdb failed/);
        assert.deepStrictEqual(fs.readdirSync(root), []);
    });

    it("lives under node_modules/.cache, apart from the run store's source hash (a program change keeps it)", () => {
        assert.strictEqual(path.dirname(APP_TEST_CACHE_DIR), path.join(PROJECT_ROOT, "node_modules", ".cache"));
    });
});
