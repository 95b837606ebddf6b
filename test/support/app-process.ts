/** Helpers for tests that run the built app in a process of its own and talk to it over HTTP. */
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? ok(address.port) : fail(new Error("no port")),
      );
    });
  });
}

/** GETs `url` until it answers 2xx (resolving to the body), failing when the process exits or after 30 s. */
export async function waitForPage(url: string, child: ChildProcess, output: () => string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`probot exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return await response.text();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no answer from ${url} within 30 s:\n${output()}`);
    await new Promise((ok) => setTimeout(ok, 200));
  }
}
