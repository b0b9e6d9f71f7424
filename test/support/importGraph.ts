import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * The project's import graph, read with the TypeScript compiler's own import scanner (`ts.preProcessFile`:
 * static imports and re-exports, type-only imports, dynamic `import()` and `require`), and the layering
 * rules it must keep. A small checker rather than a dependency: the rules are this project's, and it reads
 * the whole tree in well under a second.
 */

/** One file's project-internal imports (repository-relative paths). */
export type ImportGraph = Readonly<Record<string, readonly string[]>>;

const SOURCE_DIRS = [
    "shared",
    "app",
    "components",
    "stacks",
    "bootstrap",
    "policy",
    "plan",
    "scripts",
    "bench",
    "test",
];

function sourceFiles(root: string): string[] {
    const files: string[] = fs.existsSync(path.join(root, "index.ts")) ? ["index.ts"] : [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
            const relative = path.posix.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (entry.name !== "node_modules" && entry.name !== "dist" && entry.name !== "bin") walk(relative);
            } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) files.push(relative);
        }
    };
    for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(root, dir))) walk(dir);
    return files.sort();
}

/** Reads every TypeScript file under the source directories and resolves its relative imports. */
export function readImportGraph(root: string): ImportGraph {
    const files = sourceFiles(root);
    const known = new Set(files);
    const graph: Record<string, string[]> = {};
    for (const file of files) {
        const info = ts.preProcessFile(fs.readFileSync(path.join(root, file), "utf8"), true, true);
        const targets = new Set<string>();
        for (const { fileName } of info.importedFiles) {
            if (!fileName.startsWith(".")) continue;
            const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName));
            const resolved = [`${base}.ts`, `${base}/index.ts`, base].find((candidate) => known.has(candidate));
            if (resolved) targets.add(resolved);
        }
        graph[file] = [...targets].sort();
    }
    return graph;
}

/** Every import cycle, as the files of each strongly connected component (Tarjan), self-imports included. */
export function importCycles(graph: ImportGraph): string[][] {
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (file: string): void => {
        index.set(file, counter);
        low.set(file, counter);
        counter++;
        stack.push(file);
        onStack.add(file);
        for (const next of graph[file] ?? []) {
            if (!index.has(next)) {
                visit(next);
                low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
            } else if (onStack.has(next)) low.set(file, Math.min(low.get(file) ?? 0, index.get(next) ?? 0));
        }
        if (low.get(file) === index.get(file)) {
            const component: string[] = [];
            let member: string | undefined;
            do {
                member = stack.pop();
                if (member === undefined) break;
                onStack.delete(member);
                component.push(member);
            } while (member !== file);
            if (component.length > 1 || (graph[file] ?? []).includes(file)) cycles.push(component.sort());
        }
    };
    for (const file of Object.keys(graph)) if (!index.has(file)) visit(file);
    return cycles;
}

/**
 * A layer: the files it holds and what they may import besides their own layer. Lower layers never
 * import higher ones; shared contracts live in `shared/`, which imports nothing of ours.
 */
export interface Layer {
    readonly name: string;
    readonly holds: (file: string) => boolean;
    readonly mayImport: (target: string) => boolean;
}

const under =
    (...dirs: string[]) =>
    (file: string) =>
        dirs.some((dir) => file.startsWith(`${dir}/`));
const exactly =
    (...files: string[]) =>
    (file: string) =>
        files.includes(file);
const anyOf =
    (...tests: ((file: string) => boolean)[]) =>
    (file: string) =>
        tests.some((test) => test(file));

/** The compute platforms' component folders: each stands alone (shared pieces go to components/ or shared/). */
const PLATFORM_COMPONENTS = ["components/eks", "components/fargate", "components/serverless"];

/** The project's layers, lowest first. */
export const LAYERS: readonly Layer[] = [
    { name: "shared", holds: under("shared"), mayImport: under("shared") },
    { name: "app", holds: under("app"), mayImport: under("shared", "app") },
    // The Lambda component bundles the handlers through the app's build API, never the handlers themselves.
    {
        name: "components",
        holds: under("components"),
        mayImport: anyOf(under("shared", "components"), exactly("app/build.ts")),
    },
    { name: "policy", holds: under("policy"), mayImport: under("shared", "policy") },
    {
        name: "stacks",
        holds: under("stacks"),
        mayImport: anyOf(under("shared", "components", "stacks"), exactly("app/build.ts")),
    },
    { name: "bootstrap", holds: under("bootstrap"), mayImport: under("shared", "components", "bootstrap") },
    { name: "plan", holds: under("plan"), mayImport: under("shared", "stacks", "bootstrap", "policy", "plan") },
    {
        name: "entry points and tools",
        holds: anyOf(exactly("index.ts"), under("scripts", "bench")),
        mayImport: (target) => !target.startsWith("test/"),
    },
    { name: "tests", holds: under("test"), mayImport: () => true },
];

/** Narrower rules inside a layer. */
const INNER_RULES: readonly { readonly rule: string; readonly violates: (from: string, to: string) => boolean }[] = [
    {
        rule: "a platform's components do not import another platform's",
        violates: (from, to) =>
            PLATFORM_COMPONENTS.some(
                (dir) =>
                    from.startsWith(`${dir}/`) &&
                    PLATFORM_COMPONENTS.some((other) => other !== dir && to.startsWith(`${other}/`)),
            ),
    },
    {
        rule: "stacks/config is read by the composition, never the other way round",
        violates: (from, to) =>
            from.startsWith("stacks/config/") && to.startsWith("stacks/") && !to.startsWith("stacks/config/"),
    },
];

/** Every import that breaks the layering, as "from -> to: why". */
export function layerViolations(graph: ImportGraph, layers: readonly Layer[] = LAYERS): string[] {
    const violations: string[] = [];
    for (const [from, targets] of Object.entries(graph)) {
        const layer = layers.find((l) => l.holds(from));
        if (!layer) {
            violations.push(`${from}: in no layer (add it to LAYERS in test/support/importGraph.ts)`);
            continue;
        }
        for (const to of targets) {
            if (!layer.mayImport(to)) violations.push(`${from} -> ${to}: layer ${layer.name} may not import it`);
            for (const inner of INNER_RULES)
                if (inner.violates(from, to)) violations.push(`${from} -> ${to}: ${inner.rule}`);
        }
    }
    return violations;
}
