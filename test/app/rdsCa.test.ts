import * as assert from "assert";
import { X509Certificate } from "crypto";
import { POSTGRES_CA_IDENTIFIER } from "../../components/data";
import { rdsCaBundle, rdsCaCertificates } from "../../app/src/containers/rdsCa";
import { readStackConfig } from "../../plan/stackFile";
import { SHIPPED_STACKS } from "../support/stacks";

/**
 * The seam between the database's server certificate (the CA the data layer selects with caCertIdentifier) and
 * what the clients trust (the RDS CA bundle shipped in the images and the setup function).
 */

/** rds-ca-rsa2048-g1 → "RSA2048 G1": how that CA family names itself in each region's root certificate. */
function familyOf(identifier: string): string {
    const match = /^rds-ca-(rsa2048|rsa4096|ecc384)-(g\d)$/.exec(identifier);
    assert.ok(match, `unexpected caCertIdentifier ${identifier}`);
    return `${match[1].toUpperCase()} ${match[2].toUpperCase()}`;
}

describe("RDS CA bundle (what verify-full trusts)", () => {
    it("holds, for every region a shipped stack deploys to, the root CA the database's caCertIdentifier selects, valid for another year", () => {
        const inAYear = new Date(Date.now() + 365 * 24 * 3600 * 1000);
        const trusted = rdsCaCertificates(inAYear).map((pem) => new X509Certificate(pem).subject);
        for (const stack of SHIPPED_STACKS) {
            const region = readStackConfig(stack).config["voteapp:region"];
            const name = `CN=Amazon RDS ${region} Root CA ${familyOf(POSTGRES_CA_IDENTIFIER)}`;
            assert.ok(
                trusted.some((subject) => subject.split("\n").includes(name)),
                `${stack} (${region}): no trusted "${name}"`,
            );
        }
    });

    it("trusts only Amazon RDS certificate authorities, and no expired one", () => {
        const bundle = rdsCaBundle();
        assert.ok(bundle.length >= 60, `only ${bundle.length} certificates`);
        for (const ca of bundle) {
            const certificate = new X509Certificate(ca.pem);
            assert.ok(certificate.ca, `${ca.subject} is not a CA certificate`);
            assert.ok(ca.subject.split("\n").includes("OU=Amazon RDS"), `${ca.subject} is not an Amazon RDS CA`);
        }
        const now = new Date();
        const current = rdsCaCertificates(now);
        assert.ok(current.length > 0 && current.length < bundle.length, "expired CAs are left out");
        for (const pem of current) assert.ok(new Date(new X509Certificate(pem).validTo) > now);
    });
});
