import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { deepFreeze } from "../shared/config/reader";
import { PROJECT_ROOT } from "./projectRoot";

export interface StackFileConfig {
    readonly project: string;
    readonly stack: string;
    /** Flat `namespace:key` → string, as the Pulumi CLI hands config to a program. */
    readonly config: Record<string, string>;
    /** Keys whose values were `secure:` ciphertext, replaced by placeholders offline. */
    readonly secretKeys: string[];
}

/** Placeholder for a `secure:` value, which cannot be decrypted without the stack's secrets provider. */
export function secretPlaceholder(key: string): string {
    return `offline-placeholder-for-secret-${key.replace(/[^A-Za-z0-9]/g, "-")}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The last text read of each YAML file, and its parse (frozen): reading is cheap, parsing 20 kB is not. */
const parsedYaml = new Map<string, { readonly text: string; readonly document: unknown }>();

/**
 * A YAML file's document. Every mocked run reads Pulumi.yaml and its stack file, and parsing them cost each run
 * ~25 ms (6% of it), so a file's parse is kept while its text stays the same; the text is read every time,
 * so a file changed since (a test's temporary stack, an edit between runs) is parsed afresh.
 */
function readYaml(file: string): unknown {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(process.cwd(), file) || file} does not exist`);
    const text = fs.readFileSync(file, "utf8");
    const kept = parsedYaml.get(file);
    if (kept?.text === text) return kept.document;
    const document = deepFreeze(YAML.parse(text) as unknown);
    parsedYaml.set(file, { text, document });
    return document;
}

/** Qualifies a project-level key (`platform`) with the project namespace, as the CLI does. */
function qualify(key: string, project: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the CLI would for a program: project defaults first,
 * stack values over them, structured values as JSON, secure values replaced by marked placeholders.
 */
export function readStackConfig(stack: string, root: string = PROJECT_ROOT): StackFileConfig {
    const project = readYaml(path.join(root, "Pulumi.yaml"));
    if (!isRecord(project) || typeof project.name !== "string") throw new Error("Pulumi.yaml has no project name");
    const projectName = project.name;
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const put = (key: string, value: unknown) => {
        if (isRecord(value) && typeof value.secure === "string") {
            config[key] = secretPlaceholder(key);
            secretKeys.push(key);
        } else {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    };

    const declared = isRecord(project.config) ? project.config : {};
    for (const [key, declaration] of Object.entries(declared)) {
        if (isRecord(declaration)) {
            if ("value" in declaration) put(qualify(key, projectName), declaration.value);
            else if ("default" in declaration) put(qualify(key, projectName), declaration.default);
        } else {
            put(qualify(key, projectName), declaration);
        }
    }

    const stackFile = readYaml(path.join(root, `Pulumi.${stack}.yaml`));
    const stackConfig = isRecord(stackFile) && isRecord(stackFile.config) ? stackFile.config : {};
    for (const [key, value] of Object.entries(stackConfig)) put(qualify(key, projectName), value);
    return { project: projectName, stack, config, secretKeys };
}
