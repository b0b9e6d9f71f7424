/** Minimal typing of the `dynalite` test server (DynamoDB-compatible, in memory). */
declare module "dynalite" {
    import type { Server } from "http";
    function dynalite(options?: {
        createTableMs?: number;
        deleteTableMs?: number;
        updateTableMs?: number;
        path?: string;
    }): Server;
    export = dynalite;
}

/** dynalite's own item-size rule (what it checks against DynamoDB's 400 KB item limit). */
declare module "dynalite/db" {
    import type { AttributeValue } from "@aws-sdk/client-dynamodb";
    export function itemSize(item: Record<string, AttributeValue>): number;
}
