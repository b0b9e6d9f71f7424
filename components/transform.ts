/**
 * A caller's last word on one underlying resource (SST's `transform`): it receives the arguments the
 * component chose and the resource's name, and returns the arguments to create it with. It serves the
 * adjustments a component's Args do not model, without forking the component, and lets tests prove the
 * policy pack catches an insecure change made this way.
 */
export type ResourceTransform<T> = (args: T, name: string) => T;

/** `args` as the transform (if any) leaves them. */
export function transformed<T>(transform: ResourceTransform<T> | undefined, args: T, name: string): T {
    return transform ? transform(args, name) : args;
}
