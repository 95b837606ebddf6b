/**
 * `npm run test-cluster -- --kubeconfig FILE`: runs the test API server on a free loopback port,
 * writes a kubeconfig for it to FILE, and serves until killed.
 */
import { parseArgs } from "node:util";
import { KubeApiServer } from "./server.js";

const { values } = parseArgs({
  options: {
    kubeconfig: { type: "string" },
    port: { type: "string", default: "0" },
    "no-simulator": { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help || !values.kubeconfig) {
  console.log("usage: npm run test-cluster -- --kubeconfig FILE [--port N] [--no-simulator]");
  process.exit(values.help ? 0 : 2);
}

const server = await KubeApiServer.start({
  port: Number(values.port),
  simulator: { disabled: values["no-simulator"] },
});
await server.writeKubeconfig(values.kubeconfig);
console.log(`test Kubernetes API server on ${server.url}; kubeconfig written to ${values.kubeconfig}`);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
