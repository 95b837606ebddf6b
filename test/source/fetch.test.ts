// fetchRevision against GitHub answered by nock: the tarball endpoint redirects to codeload, which
// serves .tar.gz archives built here, packed from a folder with the tar package or written entry by
// entry for the archives Ferry must refuse.
import { randomBytes } from "node:crypto";
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { Octokit } from "@octokit/rest";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { create, Header, type HeaderData, Pax } from "tar";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fetchRevision, SourceError } from "../../src/source/index.js";

const OWNER = "acme";
const REPO = "app";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const TOP = `${OWNER}-${REPO}-${SHA.slice(0, 7)}`;
/** The token codeload puts in its URL for private repositories: must never reach a message. */
const CODELOAD_TOKEN = "CODELOADSECRET";

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const octokit = new Octokit({ auth: "test-token", request: { retries: 0 }, log: quiet });

let cacheDir: string;

beforeAll(() => {
  nock.disableNetConnect();
});

afterAll(() => {
  nock.enableNetConnect();
});

beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "ferry-source-test-"));
});

afterEach(async () => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  await rm(cacheDir, { recursive: true, force: true });
  expect(pending).toEqual([]);
});

/** The API's 302 and codeload's answer, each answered once. */
function serve(
  archive: Buffer | (() => Readable),
  options: { sha?: string; headers?: Record<string, string>; status?: number } = {},
): void {
  const sha = options.sha ?? SHA;
  nock("https://api.github.com")
    .get(`/repos/${OWNER}/${REPO}/tarball/${sha}`)
    .matchHeader("authorization", "token test-token")
    .once()
    .reply(302, "", {
      Location: `https://codeload.github.com/${OWNER}/${REPO}/legacy.tar.gz/${sha}?token=${CODELOAD_TOKEN}`,
    });
  // The installation token must not be sent to codeload.
  nock("https://codeload.github.com", { badheaders: ["authorization"] })
    .get(`/${OWNER}/${REPO}/legacy.tar.gz/${sha}`)
    .query({ token: CODELOAD_TOKEN })
    .once()
    .reply(options.status ?? 200, () => (typeof archive === "function" ? archive() : archive), {
      "Content-Type": "application/x-gzip",
      ...options.headers,
    });
}

interface RawEntry extends HeaderData {
  path: string;
  body?: string | Buffer;
}

/**
 * A .tar.gz written entry by entry with tar's Header, so it can hold what tar.c never writes: `..`
 * paths, absolute paths, links anywhere, devices. Starts with GitHub's pax global header (the
 * commit sha as its comment), as codeload's archives do.
 */
function rawTarball(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [new Pax({ comment: SHA }, true).encode()];
  for (const { body, ...data } of entries) {
    const content = typeof body === "string" ? Buffer.from(body) : (body ?? Buffer.alloc(0));
    const type = data.type ?? "File";
    const header = new Header({
      mode: type === "Directory" ? 0o775 : 0o664,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      ...data,
      type,
      size: content.length,
    });
    header.encode();
    blocks.push(header.block as Buffer);
    if (content.length > 0) blocks.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A safe start and end around each refused entry, so a refusal leaves files it must remove. */
function around(...entries: RawEntry[]): Buffer {
  return rawTarball([
    { path: `${TOP}/`, type: "Directory" },
    { path: `${TOP}/README.md`, body: "# app\n" },
    { path: `${TOP}/deploy/`, type: "Directory" },
    { path: `${TOP}/deploy/app.yaml`, body: "kind: ConfigMap\n" },
    ...entries,
    { path: `${TOP}/z-after.txt`, body: "after\n" },
  ]);
}

async function collect(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A repository tree on disk, packed with tar.c into GitHub's layout. */
async function packedRepository(): Promise<Buffer> {
  const source = await mkdtemp(join(tmpdir(), "ferry-source-tree-"));
  try {
    const top = join(source, TOP);
    await mkdir(join(top, "deploy", "base"), { recursive: true });
    await writeFile(join(top, "README.md"), "# app\n");
    await writeFile(join(top, "deploy", "base", "kustomization.yaml"), "resources: [app.yaml]\n");
    await writeFile(join(top, "deploy", "base", "app.yaml"), "kind: ConfigMap\n");
    await writeFile(join(top, "deploy", "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    await symlink("base/app.yaml", join(top, "deploy", "current.yaml"));
    return await collect(create({ gzip: true, cwd: source, portable: true }, [TOP]));
  } finally {
    await rm(source, { recursive: true, force: true });
  }
}

async function listCache(): Promise<string[]> {
  return readdir(cacheDir);
}

describe("fetchRevision", () => {
  it("extracts the commit with GitHub's top folder stripped, into a 0700 folder under cacheDir", async () => {
    serve(await packedRepository());
    const checkout = await fetchRevision(
      octokit,
      { owner: OWNER, repo: REPO, sha: SHA.toUpperCase() },
      { cacheDir },
    );

    expect(checkout.sha).toBe(SHA);
    expect(checkout.dir.startsWith(`${cacheDir}/`)).toBe(true);
    expect((await stat(checkout.dir)).mode & 0o777).toBe(0o700);
    expect((await readdir(checkout.dir)).sort()).toEqual(["README.md", "deploy"]);
    expect(await readFile(join(checkout.dir, "deploy", "base", "app.yaml"), "utf8")).toBe(
      "kind: ConfigMap\n",
    );
    expect((await stat(join(checkout.dir, "deploy", "run.sh"))).mode & 0o100).toBe(0o100);
    // A link within the checkout is kept as a link.
    expect((await lstat(join(checkout.dir, "deploy", "current.yaml"))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(checkout.dir, "deploy", "current.yaml"))).toBe("base/app.yaml");
    expect(await readFile(join(checkout.dir, "deploy", "current.yaml"), "utf8")).toBe("kind: ConfigMap\n");

    await checkout.release();
    await expect(stat(checkout.dir)).rejects.toMatchObject({ code: "ENOENT" });
    expect(await listCache()).toEqual([]);
  });

  it("reads a codeload archive (pax global header, links inside) through ProbotOctokit", async () => {
    serve(
      rawTarball([
        { path: `${TOP}/`, type: "Directory" },
        { path: `${TOP}/apps/`, type: "Directory" },
        { path: `${TOP}/apps/web.yaml`, body: "kind: Service\n" },
        { path: `${TOP}/apps/up`, type: "SymbolicLink", linkpath: ".." },
        { path: `${TOP}/web.yaml`, type: "Link", linkpath: `${TOP}/apps/web.yaml` },
      ]),
    );
    const probotOctokit = new ProbotOctokit({
      auth: { token: "test-token" },
      retry: { enabled: false },
      throttle: { enabled: false },
    });
    const checkout = await fetchRevision(probotOctokit, { owner: OWNER, repo: REPO, sha: SHA }, { cacheDir });
    try {
      expect((await readdir(checkout.dir)).sort()).toEqual(["apps", "web.yaml"]);
      expect(await readFile(join(checkout.dir, "web.yaml"), "utf8")).toBe("kind: Service\n");
      expect(await readFile(join(checkout.dir, "apps", "up", "apps", "web.yaml"), "utf8")).toBe(
        "kind: Service\n",
      );
    } finally {
      await checkout.release();
    }
  });

  it("streams a large archive to disk in chunks, the download waiting for the disk", async () => {
    // Node 22's fetch crashed the process here (undici's assert(!this.paused) when the response ends
    // while its body is paused for backpressure); the download goes through node:https instead.
    const blob = randomBytes(6 * 1024 * 1024);
    const archive = rawTarball([
      { path: `${TOP}/`, type: "Directory" },
      { path: `${TOP}/blob.bin`, body: blob },
    ]);
    serve(() =>
      Readable.from(
        (function* () {
          for (let offset = 0; offset < archive.length; offset += 64 * 1024) {
            yield archive.subarray(offset, offset + 64 * 1024);
          }
        })(),
      ),
    );
    const checkout = await fetchRevision(octokit, { owner: OWNER, repo: REPO, sha: SHA }, { cacheDir });
    try {
      expect((await readFile(join(checkout.dir, "blob.bin"))).equals(blob)).toBe(true);
    } finally {
      await checkout.release();
    }
  });

  describe("refuses an archive entry that could reach outside the checkout, and leaves nothing behind", () => {
    const cases: { title: string; entries: RawEntry[]; entry: string; says: RegExp }[] = [
      {
        title: "a ../evil entry",
        entries: [{ path: "../evil", body: "pwned\n" }],
        entry: "../evil",
        says: /"\.\.\/evil" has a "\.\." segment/,
      },
      {
        title: "a .. segment inside the top folder",
        entries: [{ path: `${TOP}/deploy/../../evil`, body: "pwned\n" }],
        entry: `${TOP}/deploy/../../evil`,
        says: /has a "\.\." segment/,
      },
      {
        title: "an absolute path",
        entries: [{ path: "/tmp/ferry-evil-absolute", body: "pwned\n" }],
        entry: "/tmp/ferry-evil-absolute",
        says: /"\/tmp\/ferry-evil-absolute" has an absolute path/,
      },
      {
        title: "a symbolic link to /etc/passwd",
        entries: [{ path: `${TOP}/passwd`, type: "SymbolicLink", linkpath: "/etc/passwd" }],
        entry: `${TOP}/passwd`,
        says: /symbolic link to the absolute path "\/etc\/passwd"/,
      },
      {
        title: "a symbolic link up out of the checkout",
        entries: [{ path: `${TOP}/deploy/up`, type: "SymbolicLink", linkpath: "../../.." }],
        entry: `${TOP}/deploy/up`,
        says: /symbolic link to "\.\.\/\.\.\/\.\.", which leads outside the checkout/,
      },
      {
        // deploy/t → s/.. looks inside until deploy/s → .. arrives after it: only the final check sees it.
        title: "a symbolic link that leaves through a later link",
        entries: [
          { path: `${TOP}/deploy/t`, type: "SymbolicLink", linkpath: "s/.." },
          { path: `${TOP}/deploy/s`, type: "SymbolicLink", linkpath: ".." },
        ],
        entry: `${TOP}/deploy/t`,
        says: /leads outside the checkout through other links/,
      },
      {
        title: "a hard link outside the checkout",
        entries: [{ path: `${TOP}/passwd`, type: "Link", linkpath: "/etc/passwd" }],
        entry: `${TOP}/passwd`,
        says: /hard link to "\/etc\/passwd", outside the checkout/,
      },
      {
        title: "a hard link to a symbolic link (the link would move)",
        entries: [
          { path: `${TOP}/deploy/root`, type: "SymbolicLink", linkpath: ".." },
          { path: `${TOP}/root`, type: "Link", linkpath: `${TOP}/deploy/root` },
        ],
        entry: `${TOP}/root`,
        says: /hard link to .* not a regular file/,
      },
      {
        title: "a write through a symbolic link",
        entries: [
          { path: `${TOP}/alias`, type: "SymbolicLink", linkpath: "deploy" },
          { path: `${TOP}/alias/app.yaml`, body: "overwritten\n" },
        ],
        entry: `${TOP}/alias/app.yaml`,
        says: /written through the symbolic link "alias"/,
      },
      {
        title: "a character device",
        entries: [{ path: `${TOP}/null`, type: "CharacterDevice", devmaj: 1, devmin: 3 }],
        entry: `${TOP}/null`,
        says: /is a device file/,
      },
      {
        title: "a FIFO",
        entries: [{ path: `${TOP}/pipe`, type: "FIFO" }],
        entry: `${TOP}/pipe`,
        says: /is a FIFO/,
      },
      {
        title: "an entry type tar skips (sparse file)",
        entries: [{ path: `${TOP}/sparse`, type: "SparseFile" }],
        entry: `${TOP}/sparse`,
        says: /has type SparseFile/,
      },
      {
        title: "an entry outside the top folder",
        entries: [{ path: "other/x.yaml", body: "x\n" }],
        entry: "other/x.yaml",
        says: /outside the archive's top folder/,
      },
    ];

    it.each(cases)("$title", async ({ entries, entry, says }) => {
      serve(around(...entries));
      const error = await fetchRevision(octokit, { owner: OWNER, repo: REPO, sha: SHA }, { cacheDir }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SourceError);
      expect(error).toMatchObject({ reason: "unsafe-entry", entry });
      const message = (error as Error).message;
      expect(message).toContain(`acme/app@0123456: archive entry ${JSON.stringify(entry)}`);
      expect(message).toMatch(says);
      expect(await listCache()).toEqual([]);
      await expect(stat("/tmp/ferry-evil-absolute")).rejects.toMatchObject({ code: "ENOENT" });
    });
  });

  it("refuses an archive above the size limit while streaming, naming the limit and the setting", async () => {
    // Incompressible content, sent in chunks without a Content-Length: only the byte count stops it.
    const archive = around({ path: `${TOP}/blob.bin`, body: randomBytes(256 * 1024) });
    let sent = 0;
    serve(() =>
      Readable.from(
        (function* () {
          for (let offset = 0; offset < archive.length; offset += 16 * 1024) {
            sent = offset + 16 * 1024;
            yield archive.subarray(offset, offset + 16 * 1024);
          }
        })(),
      ),
    );
    const error = await fetchRevision(
      octokit,
      { owner: OWNER, repo: REPO, sha: SHA },
      { cacheDir, sizeLimitBytes: 64 * 1024 },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ reason: "too-large" });
    expect((error as Error).message).toBe(
      "acme/app@0123456: the archive is larger than the size limit of 65536 bytes; " +
        "raise `sourceSizeLimit` in the operator file (FERRY_CONFIG) to fetch it",
    );
    expect(sent).toBeLessThan(archive.length);
    expect(await listCache()).toEqual([]);
  });

  it("refuses an archive whose Content-Length is above the limit before reading it", async () => {
    const archive = around({ path: `${TOP}/blob.bin`, body: randomBytes(3 * 1024 * 1024) });
    serve(archive, { headers: { "Content-Length": String(archive.length) } });
    await expect(
      fetchRevision(
        octokit,
        { owner: OWNER, repo: REPO, sha: SHA },
        { cacheDir, sizeLimitBytes: 2 * 1024 * 1024, sizeLimitSetting: "`limits.archive`" },
      ),
    ).rejects.toThrow(
      /^acme\/app@0123456: the archive \(3\.0 MB\) is larger than the size limit of 2 MB; raise `limits.archive`/,
    );
    expect(await listCache()).toEqual([]);
  });

  it("refuses an archive that unpacks to more than the unpacked limit (a gzip bomb)", async () => {
    serve(around({ path: `${TOP}/zeros.bin`, body: Buffer.alloc(4 * 1024 * 1024) }));
    const error = await fetchRevision(
      octokit,
      { owner: OWNER, repo: REPO, sha: SHA },
      { cacheDir, unpackedLimitBytes: 1024 * 1024 },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: "too-large", entry: `${TOP}/zeros.bin` });
    expect((error as Error).message).toContain("unpacks to more than 1 MB");
    expect(await listCache()).toEqual([]);
  });

  it("shares one download between concurrent fetches of a commit and removes it after the last release", async () => {
    serve(await packedRepository());
    const ref = { owner: OWNER, repo: REPO, sha: SHA };
    const [first, second] = await Promise.all([
      fetchRevision(octokit, ref, { cacheDir }),
      fetchRevision(octokit, { ...ref, owner: "ACME" }, { cacheDir }),
    ]);
    expect(second.dir).toBe(first.dir);
    expect(await listCache()).toHaveLength(1);

    await first.release();
    await first.release(); // a second release by the same user changes nothing
    expect(await readFile(join(second.dir, "README.md"), "utf8")).toBe("# app\n");

    await second.release();
    await expect(stat(second.dir)).rejects.toMatchObject({ code: "ENOENT" });
    expect(await listCache()).toEqual([]);

    // The entry is gone with the folder: the next fetch downloads again, into a new folder.
    serve(await packedRepository());
    const third = await fetchRevision(octokit, ref, { cacheDir });
    expect(third.dir).not.toBe(first.dir);
    expect(await readFile(join(third.dir, "README.md"), "utf8")).toBe("# app\n");
    await third.release();
  });

  it("keeps different commits apart", async () => {
    const other = "fedcba9876543210fedcba9876543210fedcba98";
    serve(await packedRepository());
    serve(rawTarball([{ path: `${OWNER}-${REPO}-fedcba9/only.txt`, body: "other\n" }]), { sha: other });
    const [a, b] = await Promise.all([
      fetchRevision(octokit, { owner: OWNER, repo: REPO, sha: SHA }, { cacheDir }),
      fetchRevision(octokit, { owner: OWNER, repo: REPO, sha: other }, { cacheDir }),
    ]);
    expect(a.dir).not.toBe(b.dir);
    expect(await readdir(b.dir)).toEqual(["only.txt"]);
    await a.release();
    expect(await readdir(b.dir)).toEqual(["only.txt"]);
    await b.release();
    expect(await listCache()).toEqual([]);
  });

  it("shares a failed download's error, then lets the next fetch try again", async () => {
    nock("https://api.github.com")
      .get(`/repos/${OWNER}/${REPO}/tarball/${SHA}`)
      .once()
      .reply(404, { message: "Not Found" });
    const ref = { owner: OWNER, repo: REPO, sha: SHA };
    const results = await Promise.allSettled([
      fetchRevision(octokit, ref, { cacheDir }),
      fetchRevision(octokit, ref, { cacheDir }),
    ]);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const reason = (result as PromiseRejectedResult).reason;
      expect(reason).toMatchObject({ name: "SourceError", reason: "download" });
      expect(reason.message).toMatch(
        /^acme\/app@0123456: GitHub refused the archive download \(.*Contents: read\)/,
      );
    }
    expect(await listCache()).toEqual([]);

    serve(await packedRepository());
    const checkout = await fetchRevision(octokit, ref, { cacheDir });
    expect(await readFile(join(checkout.dir, "README.md"), "utf8")).toBe("# app\n");
    await checkout.release();
  });

  it("reports a codeload failure without its URL (which carries a token)", async () => {
    serve(Buffer.from("gone"), { status: 410 });
    const error = await fetchRevision(octokit, { owner: OWNER, repo: REPO, sha: SHA }, { cacheDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ reason: "download" });
    expect((error as Error).message).toBe(
      "acme/app@0123456: codeload.github.com answered 410 to the archive download",
    );
    expect(await listCache()).toEqual([]);
  });

  it("refuses a corrupt archive and leaves nothing behind", async () => {
    const archive = around({ path: `${TOP}/big.txt`, body: "x".repeat(100_000) });
    // Cut it mid-entry: gzip and tar both see a truncated stream.
    serve(archive.subarray(0, Math.floor(archive.length / 2)));
    const error = await fetchRevision(octokit, { owner: OWNER, repo: REPO, sha: SHA }, { cacheDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: "SourceError", reason: "download" });
    expect((error as Error).message).toMatch(
      /^acme\/app@0123456: could not download and extract the archive: /,
    );
    expect(await listCache()).toEqual([]);
  });

  it("refuses a branch name or a short sha before any request", async () => {
    for (const sha of ["main", SHA.slice(0, 7)]) {
      await expect(
        fetchRevision(octokit, { owner: OWNER, repo: REPO, sha }, { cacheDir }),
      ).rejects.toMatchObject({
        reason: "invalid",
        message: expect.stringContaining("is not a full commit sha"),
      });
    }
    await expect(
      fetchRevision(octokit, { owner: "../acme", repo: REPO, sha: SHA }, { cacheDir }),
    ).rejects.toMatchObject({ reason: "invalid" });
  });

  it("uses the OS temp folder when no cacheDir is given", async () => {
    serve(await packedRepository());
    const checkout = await fetchRevision(octokit, { owner: OWNER, repo: REPO, sha: SHA });
    try {
      expect(checkout.dir.startsWith(join(tmpdir(), "ferry-acme-app-0123456-"))).toBe(true);
      expect((await stat(checkout.dir)).mode & 0o777).toBe(0o700);
    } finally {
      await checkout.release();
    }
    await expect(stat(checkout.dir)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
