import { createServer, request as httpRequest, type Server } from "http";
import { defaultHttpService, httpServices, type ServiceTable } from "../../shared/appContract";
import { freePort } from "./servers";
import { wildcardRegExp } from "../support/wildcard";

/**
 * A stand-in for the stack's load balancer in front of the container services on loopback: its listener rules
 * are the service table's (the ones components/fargate/loadBalancer.ts and the Ingress are made from), so a
 * request reaches the service the deployed entry point would send it to, and a path the rules and the services
 * disagree on ends in a 404 as it would on AWS.
 */

/** An ALB path-pattern condition: case-sensitive, `*` any run of characters, `?` exactly one. */
export function matchesPathPattern(pattern: string, path: string): boolean {
    return wildcardRegExp(pattern).test(path);
}

/** The service a path reaches: the first rule by priority whose patterns match, else the default service. */
export function serviceForPath(table: ServiceTable, path: string): string {
    const rule = httpServices(table).find((spec) =>
        (spec.http.pathPatterns ?? []).some((pattern) => matchesPathPattern(pattern, path)),
    );
    return (rule ?? defaultHttpService(table)).name;
}

export interface LoadBalancerFront {
    readonly url: string;
    close(): Promise<void>;
}

/** Listens on loopback and forwards each request, as it came, to the port of the service its path reaches. */
export async function startLoadBalancerFront(
    table: ServiceTable,
    portOf: Readonly<Record<string, number>>,
): Promise<LoadBalancerFront> {
    const server: Server = createServer((incoming, outgoing) => {
        const path = new URL(incoming.url ?? "/", "http://front").pathname;
        const port = portOf[serviceForPath(table, path)];
        const forwarded = httpRequest(
            { host: "127.0.0.1", port, method: incoming.method, path: incoming.url, headers: incoming.headers },
            (reply) => {
                outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
                reply.pipe(outgoing);
            },
        );
        forwarded.on("error", () => outgoing.writeHead(502).end());
        incoming.pipe(forwarded);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${port}`,
        close: () => {
            server.closeAllConnections();
            return new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
