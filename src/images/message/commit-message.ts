/**
 * The commit message of an image update, as Flux's ImageUpdateAutomation writes it: its default
 * message, or `spec.git.commit.messageTemplate` run on the data Flux gives it, so that a template
 * written for Flux gives the same message here.
 *
 * The template sees Flux's Go types: `.AutomationObject` (`types.NamespacedName`, printing as
 * `namespace/name`), `.Changed` (`update.Result`: `.FileChanges` file → object → changes, and the
 * methods `.Changes` and `.Objects`) and `.Values` (`messageTemplateValues`). Objects carry `.Name`,
 * `.Namespace`, `.APIVersion` and `.Kind`, changes `.OldValue`, `.NewValue` and `.Setter`.
 *
 * Go ranges over maps in key order; object keys order by API version, kind, name, then namespace,
 * the order of their fields. Where Flux's order depends on Go's random map iteration (`.Changes`,
 * and an object's changes across files in `.Objects`), it is files in path order here.
 */
import { TemplateError } from "./errors.js";
import { Template } from "./template.js";
import { GoMap, GoSlice, GoStruct, sortedEntries, type Value } from "./values.js";

/** The Kubernetes object a change was made in (Flux's `ObjectIdentifier`). */
export interface ObjectIdentifier {
  readonly apiVersion: string;
  readonly kind: string;
  /** Empty for objects without a name, such as a `kustomization.yaml`. */
  readonly name: string;
  readonly namespace?: string;
}

/** One marked value changed (Flux's `Change`). */
export interface SetterChange {
  readonly oldValue: string;
  readonly newValue: string;
  /** The marker's policy: `namespace:name`, with `:tag`, `:name` or `:digest` when it has one. */
  readonly setter: string;
}

/** A change with where it was made. */
export interface FileChange extends SetterChange {
  /** Relative to the repository root, with `/` separators. */
  readonly file: string;
  /** Absent outside a Kubernetes object; Flux leaves such changes out of the template's data. */
  readonly object?: ObjectIdentifier;
}

export interface CommitMessageData {
  /** The ImageUpdateAutomation. */
  readonly automation: { readonly namespace: string; readonly name: string };
  readonly changes: readonly FileChange[];
  /** `spec.git.commit.messageTemplateValues`. */
  readonly values?: Readonly<Record<string, string>>;
}

/** Flux's message when the automation has no template. */
export const defaultCommitMessage = "Update from image update automation";

const templateName = "commit message";
const fluxDocs = "https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template";

/** Fields Flux removed from the template data, with what to use instead (Flux's words). */
const removedFields: ReadonlyArray<{ reason: string; message: string }> = [
  {
    reason: "can't evaluate field Updated in type source.TemplateData",
    message: `template uses removed '.Updated' field. Please use '.Changed' instead. See: ${fluxDocs}`,
  },
  {
    reason: "can't evaluate field ImageResult in type update.Result",
    message: `template uses removed '.Changed.ImageResult' field. Please use '.Changed.FileChanges' or '.Changed.Objects' instead. See: ${fluxDocs}`,
  },
];

/**
 * The commit message: Flux's default without a template, else the template's output. Throws a
 * TemplateError when the template is not valid or fails, naming removed fields and their successors.
 */
export function commitMessage(template: string | undefined, data: CommitMessageData): string {
  if (!template) return defaultCommitMessage;
  try {
    return Template.parse(template, { name: templateName }).execute(templateData(data));
  } catch (error) {
    const removed = error instanceof TemplateError && removedFields.find((r) => r.reason === error.reason);
    if (!removed) throw error;
    throw new TemplateError(error.template, error.line, error.column, removed.message, error.action);
  }
}

const changeList = (changes: readonly GoStruct[]) => new GoSlice("[]update.Change", changes);
const objectChanges = (entries: Map<Value, Value>) =>
  new GoMap("update.ObjectChanges", "update.ObjectIdentifier", entries, changeList([]));

const string = (name: string, value: string, json?: string) => ({
  name,
  value,
  ...(json ? { json, omitEmpty: true } : {}),
});

/** kyaml's `ResourceIdentifier`, embedded in Flux's `ObjectIdentifier`. */
function objectIdentifier(object: ObjectIdentifier): GoStruct {
  const typeMeta = new GoStruct("yaml.TypeMeta", [
    string("APIVersion", object.apiVersion, "apiVersion"),
    string("Kind", object.kind, "kind"),
  ]);
  const nameMeta = new GoStruct("yaml.NameMeta", [
    string("Name", object.name, "name"),
    string("Namespace", object.namespace ?? "", "namespace"),
  ]);
  const resource = new GoStruct("yaml.ResourceIdentifier", [
    { name: "TypeMeta", value: typeMeta, embedded: true },
    { name: "NameMeta", value: nameMeta, embedded: true },
  ]);
  return new GoStruct("update.ObjectIdentifier", [
    { name: "ResourceIdentifier", value: resource, embedded: true },
  ]);
}

function change(c: SetterChange): GoStruct {
  return new GoStruct("update.Change", [
    string("OldValue", c.oldValue),
    string("NewValue", c.newValue),
    string("Setter", c.setter),
  ]);
}

/** Flux's `update.Result`: changes by file, then by object, with its `Changes` and `Objects` methods. */
function result(changes: readonly FileChange[]): GoStruct {
  const objects = new Map<string, GoStruct>();
  const byFile = new Map<string, Map<GoStruct, GoStruct[]>>();
  for (const c of changes) {
    if (!c.object) continue;
    const { apiVersion, kind, name, namespace = "" } = c.object;
    const key = JSON.stringify([apiVersion, kind, name, namespace]);
    const object = objects.get(key) ?? objectIdentifier(c.object);
    objects.set(key, object);
    const fileObjects = byFile.get(c.file) ?? new Map<GoStruct, GoStruct[]>();
    byFile.set(c.file, fileObjects);
    fileObjects.set(object, [...(fileObjects.get(object) ?? []), change(c)]);
  }
  const files = [...byFile.keys()].sort();
  const fileMaps = files.map((file): [string, GoMap] => {
    const entries = [...(byFile.get(file) ?? [])].map(([o, cs]): [Value, Value] => [o, changeList(cs)]);
    return [file, objectChanges(new Map(entries))];
  });
  const fileChanges = new GoMap(
    "map[string]update.ObjectChanges",
    "string",
    new Map<Value, Value>(fileMaps),
    objectChanges(new Map()),
  );

  const objectsMethod = () => {
    const merged = new Map<Value, Value>();
    for (const [, fileMap] of fileMaps) {
      for (const [object, cs] of fileMap.entries) {
        const before = (merged.get(object) as GoSlice | undefined)?.items ?? [];
        merged.set(object, changeList([...before, ...(cs as GoSlice).items] as GoStruct[]));
      }
    }
    return objectChanges(merged);
  };
  const changesMethod = () => {
    const seen = new Set<string>();
    const unique: GoStruct[] = [];
    for (const [, fileMap] of fileMaps) {
      for (const [, cs] of sortedEntries(fileMap)) {
        for (const c of (cs as GoSlice).items as GoStruct[]) {
          const key = JSON.stringify(c.fields.map((f) => f.value));
          if (!seen.has(key)) unique.push(c);
          seen.add(key);
        }
      }
    }
    return changeList(unique);
  };
  const methods = new Map<string, () => Value>([
    ["Changes", changesMethod],
    ["Objects", objectsMethod],
  ]);
  return new GoStruct("update.Result", [{ name: "FileChanges", value: fileChanges }], methods);
}

/** The value Flux runs the template on (`source.TemplateData`). */
function templateData(data: CommitMessageData): GoStruct {
  const { namespace, name } = data.automation;
  const printed = () => `${namespace}/${name}`;
  const automationObject = new GoStruct(
    "types.NamespacedName",
    [string("Namespace", namespace), string("Name", name)],
    new Map([["String", printed]]),
    printed,
  );
  const values = new GoMap("map[string]string", "string", new Map(Object.entries(data.values ?? {})), "");
  return new GoStruct("source.TemplateData", [
    { name: "AutomationObject", value: automationObject },
    { name: "Changed", value: result(data.changes) },
    { name: "Values", value: values },
  ]);
}
