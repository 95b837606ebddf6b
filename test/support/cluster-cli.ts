/** Runs the real kubectl and helm against a test API server, each server with its own caches. */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { locateBinary } from "../../src/tools/binaries.js";
import type { KubeApiServer } from "../kube-api-server/server.js";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class ClusterCli {
  private constructor(
    readonly dir: string,
    readonly kubeconfig: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async for(server: KubeApiServer): Promise<ClusterCli> {
    const dir = await mkdtemp(join(tmpdir(), "ferry-cli-"));
    const kubeconfig = join(dir, "kubeconfig");
    await server.writeKubeconfig(kubeconfig);
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      KUBECONFIG: kubeconfig,
      KUBECACHEDIR: join(dir, "kube-cache"),
      HELM_CACHE_HOME: join(dir, "helm-cache"),
      HELM_CONFIG_HOME: join(dir, "helm-config"),
      HELM_DATA_HOME: join(dir, "helm-data"),
    };
    return new ClusterCli(dir, kubeconfig, env);
  }

  async kubectl(args: string[], input?: string): Promise<CommandResult> {
    return this.run(await locateBinary("kubectl"), args, input);
  }

  async helm(args: string[]): Promise<CommandResult> {
    return this.run(await locateBinary("helm"), args);
  }

  /** Writes `content` to a file in this client's folder and returns its path. */
  async file(name: string, content: string): Promise<string> {
    const path = join(this.dir, name);
    await writeFile(path, content);
    return path;
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private run(binary: string, args: string[], input?: string): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(binary, args, { env: this.env, cwd: this.dir });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (c: Buffer) => out.push(c));
      child.stderr.on("data", (c: Buffer) => err.push(c));
      child.on("error", reject);
      child.on("close", (code) =>
        resolve({
          code: code ?? -1,
          stdout: Buffer.concat(out).toString(),
          stderr: Buffer.concat(err).toString(),
        }),
      );
      child.stdin.end(input ?? "");
    });
  }
}
