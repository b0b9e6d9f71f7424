import * as fs from "node:fs";
import * as path from "node:path";

/** The installed @pulumi/aws package's directory: the generators read the provider SDK, not a guess. */
export const installedAwsRoot = (): string => path.dirname(require.resolve("@pulumi/aws/package.json"));

/**
 * Calls `visit` with the directory and text of every file of the @pulumi/aws SDK under `awsRoot` whose name ends
 * with `suffix` (`.js`: the compiled modules; `.d.ts`: their declarations and doc comments); `types/` and nested
 * node_modules are skipped.
 */
export function forEachSdkFile(
    awsRoot: string,
    suffix: ".js" | ".d.ts",
    visit: (file: { readonly dir: string; readonly text: string }) => void,
): void {
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== "node_modules" && entry.name !== "types") walk(full);
            } else if (entry.name.endsWith(suffix)) {
                visit({ dir, text: fs.readFileSync(full, "utf8") });
            }
        }
    };
    walk(awsRoot);
}

/** Calls `visit` for every resource module (a `.js` file declaring `__pulumiType = '<token>'`), with its token. */
export function forEachResourceModule(
    awsRoot: string,
    visit: (module: { readonly dir: string; readonly text: string; readonly token: string }) => void,
): void {
    forEachSdkFile(awsRoot, ".js", ({ dir, text }) => {
        const token = /__pulumiType = '(aws:[^']+)'/.exec(text);
        if (token) visit({ dir, text, token: token[1] });
    });
}
