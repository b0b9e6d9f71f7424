import type * as pulumi from "@pulumi/pulumi";

/**
 * The AWS provider a component inherited through `opts`. Remote components (awsx) do not inherit
 * providers from their parent the way ours do, so they get it passed explicitly; a component without one
 * would fall back to the default provider, which this program never uses.
 */
export function inheritedAwsProvider(component: pulumi.Resource, componentName: string): pulumi.ProviderResource {
    const provider = component.getProvider("aws::");
    if (!provider)
        throw new Error(
            `${componentName} needs an explicit AWS provider in opts.providers (or opts.provider); the default provider is disabled`,
        );
    return provider;
}
