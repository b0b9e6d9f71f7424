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
