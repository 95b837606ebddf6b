/**
 * The server's TLS certificate: kubectl and helm send a bearer token only over TLS, so the test
 * server speaks HTTPS with a self-signed certificate for 127.0.0.1 that its kubeconfig trusts.
 */
import { generate } from "selfsigned";

export interface ServingCertificate {
  key: string;
  cert: string;
}

let shared: Promise<ServingCertificate> | undefined;

/** One certificate per process: every server on 127.0.0.1 can serve the same one. */
export function servingCertificate(): Promise<ServingCertificate> {
  shared ??= generate([{ name: "commonName", value: "ferry-test-apiserver" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + 3650 * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return shared;
}
