import type { CapturedResource } from "../shared/capturedResource";

/**
 * Pulumi's rule for targeted updates (`pulumi up --target <urn>`), as the engine applies it, checked over
 * the resource graph the mock harness captured. The engine cannot run here, so its source is the oracle
 * (pulumi/pulumi at 1b5949891b3cefcb9974752b24a5ecef0acc86c8):
 *
 * - pkg/resource/deploy/step_generator.go, `generateSteps`: providers and the root stack are always
 *   targeted ("isImplicitlyTargetedResource"); any other resource not in the target set that has no old
 *   state becomes a "skipped create" (`sg.skippedCreates[urn] = true`) and is not created.
 * - same file, `isTargetedForUpdate`: a resource is targeted when the target set contains its URN, or, with
 *   `--target-dependents`, when its provider or one of its dependencies was targeted before it.
 * - same file, `ValidateSteps`: a step of a targeted resource whose provider or any dependency is a skipped
 *   create fails the update with diagnostic 2013, "Resource '%v' depends on '%v' which was was not
 *   specified in --target list." (sdk/go/common/diag/errors.go).
 * - pkg/resource/state.go, `GetAllDependencies`: a resource's dependencies are its parent, its
 *   dependencies (explicit dependsOn and property dependencies), deletedWith and replaceWith.
 * - pkg/resource/deploy/deployment.go, `UrnTargets`: a target containing `*` is a glob (`*` matches within
 *   one `::` segment, `**` across segments); anything else is a literal URN.
 * - pkg/resource/deploy/deployment_executor.go, `checkTargets`: every literal target must name a resource
 *   of the old state or of the program ("one or more targets could not be found in the stack").
 *
 * Resources created inside remote components (awsx) are not in the captured graph: a dependency on one
 * counts as a create unless a target names it or the old state holds it, which is what the engine does
 * with the component's children when the component itself is not targeted.
 */

export interface TargetedUpdate {
    /** The `--target` values: URNs, or globs with `*` / `**`. */
    readonly targets: readonly string[];
    /** `--target-dependents`. */
    readonly targetDependents?: boolean;
}

export type DependencyRelation = "parent" | "dependency" | "deleted-with" | "replace-with" | "provider";

export interface TargetProblem {
    readonly kind: "unknown-target" | "untargeted-create";
    /** The target that names nothing, or the targeted resource whose step would fail. */
    readonly urn: string;
    /** For untargeted-create: the dependency that would not be created. */
    readonly dependency?: string;
    readonly relation?: DependencyRelation;
    /** What the engine would say. */
    readonly message: string;
}

/** The engine's glob matching of `--target` values (UrnTargets.getMatcher). */
export function targetMatcher(targets: readonly string[]): (urn: string) => boolean {
    const literals = new Set(targets.filter((t) => !t.includes("*")));
    const globs = targets
        .filter((t) => t.includes("*"))
        .map((glob) => {
            const quote = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            const segments = glob.split("**").map((segment) => segment.split("*").map(quote).join("[^:]*"));
            return new RegExp(`^${segments.join(".*")}$`);
        });
    return (urn) => literals.has(urn) || globs.some((glob) => glob.test(urn));
}

/** The provider URN of a provider reference `<urn>::<id>`. */
export function providerUrnOf(reference: string): string {
    const separator = reference.lastIndexOf("::");
    return separator < 0 ? reference : reference.slice(0, separator);
}

/** Everything the engine treats as a dependency of a resource (GetAllDependencies, plus the provider). */
export function dependenciesOf(resource: CapturedResource): { urn: string; relation: DependencyRelation }[] {
    return [
        ...(resource.parent ? [{ urn: resource.parent, relation: "parent" as const }] : []),
        ...resource.dependencies.map((urn) => ({ urn, relation: "dependency" as const })),
        ...(resource.deletedWith ? [{ urn: resource.deletedWith, relation: "deleted-with" as const }] : []),
        ...(resource.replaceWith ?? []).map((urn) => ({ urn, relation: "replace-with" as const })),
        ...(resource.provider ? [{ urn: providerUrnOf(resource.provider), relation: "provider" as const }] : []),
    ];
}

const isImplicitlyTargeted = (type: string): boolean =>
    type.startsWith("pulumi:providers:") || type === "pulumi:pulumi:Stack";

/**
 * The problems the engine would report for a targeted update of this program, given the URNs already in the
 * stack's state (empty for an environment's first deploy). No problem = the engine accepts the update.
 */
export function checkTargetedUpdate(
    resources: readonly CapturedResource[],
    update: TargetedUpdate,
    oldState: ReadonlySet<string> = new Set(),
): TargetProblem[] {
    const problems: TargetProblem[] = [];
    const known = new Set(resources.map((r) => r.urn));
    for (const target of update.targets.filter((t) => !t.includes("*"))) {
        if (!known.has(target) && !oldState.has(target))
            problems.push({
                kind: "unknown-target",
                urn: target,
                message: `Target '${target}' could not be found in the stack (it is neither in the program nor in the state)`,
            });
    }
    const isTarget = targetMatcher(update.targets);
    const targetsActual = new Set<string>();
    const skippedCreates = new Set<string>();
    const wouldBeSkipped = (urn: string) =>
        skippedCreates.has(urn) || (!known.has(urn) && !isTarget(urn) && !oldState.has(urn));

    // The captured order is registration order: every resource's parent, dependencies and provider come before it.
    for (const resource of resources) {
        const dependencies = dependenciesOf(resource);
        const explicitly = isTarget(resource.urn);
        const asDependent = update.targetDependents === true && dependencies.some((d) => targetsActual.has(d.urn));
        const targeted = isImplicitlyTargeted(resource.type) || explicitly || asDependent;
        if (!isImplicitlyTargeted(resource.type) && (explicitly || asDependent)) targetsActual.add(resource.urn);
        if (!targeted) {
            if (!oldState.has(resource.urn)) skippedCreates.add(resource.urn);
            continue;
        }
        for (const dependency of dependencies) {
            if (!wouldBeSkipped(dependency.urn)) continue;
            problems.push({
                kind: "untargeted-create",
                urn: resource.urn,
                dependency: dependency.urn,
                relation: dependency.relation,
                message: `Resource '${resource.urn}' depends on '${dependency.urn}' (its ${dependency.relation}) which was not specified in --target list`,
            });
        }
    }
    return problems;
}
