/** Running the helm binary: an argument list (never a shell), a fixed environment, a time limit. */
import { x } from "tinyexec";

export interface HelmInvocation {
  binary: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Kill helm after this long. */
  timeoutMs: number;
}

export interface HelmOutput {
  /** undefined when helm was killed (time limit) or did not start. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

export async function runHelm(invocation: HelmInvocation): Promise<HelmOutput> {
  try {
    const result = await x(invocation.binary, [...invocation.args], {
      timeout: invocation.timeoutMs,
      throwOnError: false,
      nodeOptions: { env: invocation.env, cwd: invocation.cwd, stdio: ["ignore", "pipe", "pipe"] },
    });
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  } catch (e) {
    // Spawning failed (ENOENT, EACCES): report it like a failed run.
    return {
      exitCode: undefined,
      stdout: "",
      stderr: `Error: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}
