/**
 * A wildcard pattern as an anchored RegExp: `*` any run of characters, `?` exactly one, everything else literal.
 * IAM's action, resource and StringLike patterns and ALB's path patterns all read so; IAM actions ignore case
 * (flags "i"), resources, condition values and paths do not.
 */
export function wildcardRegExp(pattern: string, flags?: "i"): RegExp {
    return new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        flags,
    );
}
