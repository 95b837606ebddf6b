/**
 * `ferry health -f FILE|-`: the kstatus status of every object in a YAML file (status included, as
 * `kubectl get -o yaml` writes it), one line per object. Exit 0 when all are Current, 1 when any is
 * not, 2 on input that cannot be read.
 */
import { readFile } from "node:fs/promises";
import { Command } from "commander";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import { computeStatus } from "../cluster/health.js";
import { subjectOf } from "../model/object.js";
import type { HealthStatus } from "../model/result.js";
import { type CliIO, ExitCode } from "./io.js";

const STDIN = "-";

/** Bad input: the message names the file and, when known, the line. */
class InputError extends Error {
  constructor(file: string, line: number | undefined, message: string) {
    super(`${line ? `${file}:${line}` : file}: ${message}`);
  }
}

interface Found {
  object: Record<string, unknown>;
  kind: string;
  namespace?: string;
  name: string;
}

export interface Report {
  subject: string;
  status: HealthStatus;
  message: string;
}

export function healthCommand(io: CliIO): Command {
  return new Command("health")
    .description("report the kstatus health (Current, InProgress, Failed, ...) of the objects in YAML files")
    .option(
      "-f, --filename <file>",
      "a YAML file of objects with their status (multi-document, or a List); - reads stdin; repeatable",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .helpOption("-h, --help", "show this help")
    .addHelpText(
      "after",
      "\nExit status: 0 when every object is Current, 1 when any is not, 2 when the input cannot be read.\n",
    )
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .action(async (options: { filename: string[] }) => {
      if (options.filename.length === 0) {
        io.err("error: ferry health needs -f FILE (or -f - to read stdin)\n");
        throw new ExitCode(2);
      }
      const objects: Found[] = [];
      try {
        let stdin: string | undefined;
        for (const file of options.filename) {
          if (file === STDIN) stdin ??= await io.readStdin();
          const text = file === STDIN ? (stdin ?? "") : await readInput(file);
          objects.push(...objectsIn(text, file === STDIN ? "<stdin>" : file));
        }
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        io.err(`error: ${error.message}\n`);
        throw new ExitCode(2);
      }
      const reports = objects.map(({ object, kind, namespace, name }): Report => {
        const { status, message } = computeStatus(object);
        return { subject: subjectOf({ kind, namespace, name }), status, message };
      });
      io.out(formatReports(reports));
      if (reports.some((r) => r.status !== "Current")) throw new ExitCode(1);
    });
}

/** Aligned columns, `Kind/namespace/name  Status  message`, one line each (multi-line messages joined). */
export function formatReports(reports: readonly Report[]): string {
  const subjectWidth = Math.max(0, ...reports.map((r) => r.subject.length));
  const statusWidth = Math.max(0, ...reports.map((r) => r.status.length));
  return reports
    .map((r) =>
      `${r.subject.padEnd(subjectWidth)}  ${r.status.padEnd(statusWidth)}  ${oneLine(r.message)}`.trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

const oneLine = (text: string) => text.trim().replaceAll(/\s*\n\s*/g, " ");

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory"
          : code === "EACCES"
            ? "permission denied"
            : (error as Error).message;
    throw new InputError(file, undefined, `cannot read: ${why}`);
  }
}

/** The objects of a multi-document YAML text; `List` documents contribute their items. */
function objectsIn(text: string, file: string): Found[] {
  const lineCounter = new LineCounter();
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const found: Found[] = [];
  for (const doc of Array.isArray(docs) ? docs : []) {
    const [error] = doc.errors;
    if (error) {
      // An error at the end of the input (an unclosed bracket) is about the last line with content.
      const at = Math.max(0, Math.min(error.pos[0], text.trimEnd().length - 1));
      throw new InputError(file, lineOf(at), `invalid YAML: ${error.message}`);
    }
    const node = doc.contents;
    if (node === null || (isScalar(node) && node.value === null)) continue;
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (e) {
      throw new InputError(file, lineOf(node.range?.[0]), `invalid YAML: ${(e as Error).message}`);
    }
    const object = checkObject(value, file, lineOf(node.range?.[0]));
    const kind = object.kind as string;
    if (kind === "List" || (kind.endsWith("List") && Array.isArray(object.items))) {
      found.push(...listItems(object, node, file, lineOf));
    } else {
      found.push(toFound(object, file, lineOf(node.range?.[0])));
    }
  }
  if (found.length === 0) throw new InputError(file, undefined, "no Kubernetes objects found");
  return found;
}

function listItems(
  list: Record<string, unknown>,
  node: Node,
  file: string,
  lineOf: (offset: number | undefined) => number | undefined,
): Found[] {
  const listLine = lineOf(node.range?.[0]);
  const items = list.items ?? [];
  if (!Array.isArray(items))
    throw new InputError(file, listLine, `${list.kind as string} items is not a list`);
  const itemsNode = isMap(node) ? node.get("items", true) : undefined;
  const itemNodes = isSeq(itemsNode) ? (itemsNode.items as (Node | null)[]) : [];
  // Items of typed lists (`DeploymentList`) as the API returns them carry no kind or apiVersion.
  const itemKind = (list.kind as string).replace(/List$/, "");
  return items.map((item: unknown, i) => {
    const line = lineOf(itemNodes[i]?.range?.[0]) ?? listLine;
    if (isPlainObject(item) && itemKind && item.kind === undefined && item.apiVersion === undefined) {
      item = { apiVersion: list.apiVersion, kind: itemKind, ...item };
    }
    return toFound(checkObject(item, file, line), file, line);
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkObject(value: unknown, file: string, line: number | undefined): Record<string, unknown> {
  if (!isPlainObject(value)) {
    const found = Array.isArray(value)
      ? "a sequence"
      : `a ${typeof value === "string" ? "string" : "scalar"}`;
    throw new InputError(file, line, `expected a Kubernetes object (a mapping), found ${found}`);
  }
  if (typeof value.kind !== "string" || value.kind === "")
    throw new InputError(file, line, "object has no kind");
  return value;
}

function toFound(object: Record<string, unknown>, file: string, line: number | undefined): Found {
  const kind = object.kind as string;
  const metadata = isPlainObject(object.metadata) ? object.metadata : {};
  const name = metadata.name;
  if (typeof name !== "string" || name === "") {
    throw new InputError(file, line, `${kind} object has no metadata.name`);
  }
  if (typeof object.apiVersion !== "string" || object.apiVersion === "") {
    throw new InputError(file, line, `${kind}/${name} has no apiVersion`);
  }
  const namespace =
    typeof metadata.namespace === "string" && metadata.namespace ? metadata.namespace : undefined;
  return { object, kind, ...(namespace ? { namespace } : {}), name };
}
