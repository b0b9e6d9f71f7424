/**
 * One resource as the mock harness saw it registered: what a policy rule, a test or the offline plan
 * needs to know about it. Inputs are the deserialized inputs the program passed (secrets unwrapped so
 * rules can read them; `secretInputKeys` says which top-level inputs were marked secret).
 */
/** How a resource was registered, as the engine saw it: what the harness's record and the captured resource share. */
export interface ResourceRegistration {
    /** The resource's URN, unique within a run. */
    readonly urn: string;
    /** Pulumi type token, e.g. `aws:rds/instance:Instance`, `pulumi:providers:aws`, `voteapp:network:Network`. */
    readonly type: string;
    /** Logical name. */
    readonly name: string;
    /** URN of the parent resource, undefined for the root stack. */
    readonly parent?: string;
    /**
     * Provider reference as the engine receives it (`<providerUrn>::<providerId>`; for a remote component,
     * the one it was given for `aws`), undefined when the resource would use the default provider (custom
     * resources) or when it is a component.
     */
    readonly provider?: string;
    /** True for custom (provider-managed) resources, false for components. */
    readonly custom: boolean;
    /** True for remote (multi-language) components such as `awsx:ec2:Vpc`, whose children mocks cannot see. */
    readonly remote: boolean;
    /** The `protect` resource option. */
    readonly protect: boolean;
    /** The `retainOnDelete` resource option. */
    readonly retainOnDelete: boolean;
    /** URNs this resource depends on (explicit dependsOn and property dependencies). */
    readonly dependencies: readonly string[];
    /** The `deletedWith` resource option's URN: the engine counts it as a dependency (e.g. for --target). */
    readonly deletedWith?: string;
    /** The `replaceWith` resource option's URNs, also dependencies to the engine. */
    readonly replaceWith?: readonly string[];
}

export interface CapturedResource extends ResourceRegistration {
    /** Inputs with secrets unwrapped. */
    readonly inputs: Record<string, unknown>;
    /** Top-level input names whose values were marked secret. */
    readonly secretInputKeys: readonly string[];
}
