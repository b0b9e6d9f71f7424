// Pins the images an environment runs into its stack file (Pulumi.<env>.yaml): the one way the workflows set
// them. The deploy job pins the images it has just copied into the environment's registry; the preview job
// pins the images the stack runs today (its `images` output), so a preview of an unchanged main shows no
// change (without it every preview would offer to roll the services back to the stack file's imageTag).
// Usage: npx ts-node --transpile-only scripts/pin-images.ts --stack <env> --vote <ref> --result <ref> --worker <ref>
//        npx ts-node --transpile-only scripts/pin-images.ts --stack <env> --deployed "$(pulumi stack output images --json)"
//        (--deployed with an empty value, before the stack's first deploy, pins nothing)
import * as fs from "fs";
import { parseArgs } from "node:util";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT_ROOT } from "../plan/projectRoot";
import { APP_SERVICES, type AppService } from "../shared/appContract";
import { IMAGE_REFERENCE } from "../stacks/config/rules";
import { serviceKeyName } from "../stacks/config/serviceKeys";

export type ImagePins = Readonly<Record<AppService, string>>;

/** The config keys and values that pin a stack's images (`voteapp:<service>Image`). */
export function imagePinConfig(images: ImagePins, project = "voteapp"): Record<string, string> {
    return Object.fromEntries(
        APP_SERVICES.map((service) => [`${project}:${serviceKeyName(service, "Image")}`, images[service]]),
    );
}

/** Checks each reference is a full image reference; returns the pins. */
export function imagePins(images: Readonly<Record<string, unknown>>): ImagePins {
    const problems = APP_SERVICES.flatMap((service) => {
        const reference = images[service];
        return typeof reference === "string" && IMAGE_REFERENCE.test(reference)
            ? []
            : [
                  `${service}: ${JSON.stringify(reference)} is not a full image reference (registry/repository@sha256:… or :tag)`,
              ];
    });
    if (problems.length > 0) throw new Error(`Cannot pin the images:\n  ${problems.join("\n  ")}`);
    return Object.fromEntries(APP_SERVICES.map((s) => [s, images[s] as string])) as ImagePins;
}

/** The images a deployed stack runs, from `pulumi stack output images --json`; undefined when it has none yet. */
export function deployedImages(outputJson: string): ImagePins | undefined {
    if (outputJson.trim() === "") return undefined;
    const parsed: unknown = JSON.parse(outputJson);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error(`The stack's images output is not an object: ${outputJson}`);
    return imagePins(parsed as Record<string, unknown>);
}

/** Writes the pins into Pulumi.<stack>.yaml, as `pulumi config set` would (comments and order kept). */
export function writeImagePins(stack: string, images: ImagePins, root: string = PROJECT_ROOT): void {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    const document = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    const project = (YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string }).name;
    for (const [key, value] of Object.entries(imagePinConfig(images, project))) document.setIn(["config", key], value);
    fs.writeFileSync(file, document.toString({ lineWidth: 0 }));
}

function main(): number {
    const { values } = parseArgs({
        options: {
            stack: { type: "string" },
            vote: { type: "string" },
            result: { type: "string" },
            worker: { type: "string" },
            deployed: { type: "string" },
        },
        strict: true,
    });
    if (!values.stack) {
        console.error("--stack <env> is required");
        return 2;
    }
    const images =
        values.deployed !== undefined
            ? deployedImages(values.deployed)
            : imagePins({ vote: values.vote, result: values.result, worker: values.worker });
    if (!images) {
        console.log(`${values.stack} runs no images yet (first deploy): nothing pinned`);
        return 0;
    }
    writeImagePins(values.stack, images);
    for (const service of APP_SERVICES) console.log(`pinned ${service}: ${images[service]}`);
    return 0;
}

if (require.main === module) {
    try {
        process.exit(main());
    } catch (err) {
        console.error(err instanceof Error ? err.message : err);
        process.exit(1);
    }
}
