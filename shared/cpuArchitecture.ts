/**
 * The CPU architecture a stack runs its app on, and how each consumer spells it. The stack's
 * `voteapp:cpuArchitecture` is the one source: the Fargate task definitions, the EKS node group (AMI type and
 * instance types) and pod node selectors, the Lambda functions, and the deploy workflow's image build
 * (scripts/stack-info.ts --image-platforms: the union over every stack) all read it through this table, and
 * test/shared/cpuArchitecture.test.ts checks that what the plans create is what the workflow builds.
 */

export const CPU_ARCHITECTURES = ["arm64", "x86_64"] as const;
export type CpuArchitecture = (typeof CPU_ARCHITECTURES)[number];

export interface ArchitectureNames {
    /** ECS task definition `runtimePlatform.cpuArchitecture`. */
    readonly ecs: "ARM64" | "X86_64";
    /** Kubernetes well-known node label `kubernetes.io/arch` (Go's GOARCH). */
    readonly kubernetes: "arm64" | "amd64";
    /** Lambda `architectures`. */
    readonly lambda: "arm64" | "x86_64";
    /** EKS managed node group `amiType` (Amazon Linux 2023). */
    readonly eksAmiType: "AL2023_ARM_64_STANDARD" | "AL2023_x86_64_STANDARD";
    /** OCI image platform (docker buildx `--platform`, image index entries). */
    readonly imagePlatform: "linux/arm64" | "linux/amd64";
}

export const ARCHITECTURE_NAMES: Readonly<Record<CpuArchitecture, ArchitectureNames>> = {
    arm64: {
        ecs: "ARM64",
        kubernetes: "arm64",
        lambda: "arm64",
        eksAmiType: "AL2023_ARM_64_STANDARD",
        imagePlatform: "linux/arm64",
    },
    x86_64: {
        ecs: "X86_64",
        kubernetes: "amd64",
        lambda: "x86_64",
        eksAmiType: "AL2023_x86_64_STANDARD",
        imagePlatform: "linux/amd64",
    },
};

/** The comma-separated `platforms` docker buildx builds for these architectures (sorted, each once). */
export function imagePlatformsFor(architectures: Iterable<CpuArchitecture>): string {
    return [...new Set([...architectures].map((a) => ARCHITECTURE_NAMES[a].imagePlatform))].sort().join(",");
}

/**
 * The architecture of an EC2 instance type, from its name: Graviton families carry a `g` right after the
 * generation digit (t4g, m7g, c7gn, r8gd, x2gd, im4gn, g5g), and the first-generation A1 is Arm too; every
 * other family is x86_64.
 */
export function instanceTypeArchitecture(instanceType: string): CpuArchitecture {
    const family = instanceType.split(".")[0] ?? "";
    return /^[a-z]+\d+g[a-z]*$/.test(family) || family === "a1" ? "arm64" : "x86_64";
}

/** Instance types the error messages suggest for each architecture. */
export const EXAMPLE_INSTANCE_TYPES: Readonly<Record<CpuArchitecture, string>> = {
    arm64: "c7g.large, m7g.large or c7g.xlarge",
    x86_64: "c7i.large, m7i.large or c6i.xlarge",
};
