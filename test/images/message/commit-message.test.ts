import { describe, expect, it } from "vitest";
import {
  type CommitMessageData,
  commitMessage,
  defaultCommitMessage,
  type FileChange,
} from "../../../src/images/message/commit-message.js";
import { TemplateError } from "../../../src/images/message/errors.js";

const lines = (...text: string[]) => text.join("\n");

const deployment = (name: string, namespace?: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  name,
  namespace,
});

/** The data of Flux's own commit tests: one image updated in one Deployment. */
const fluxTest: CommitMessageData = {
  automation: { namespace: "test-ns", name: "test-update" },
  changes: [
    {
      file: "deploy.yaml",
      object: deployment("test"),
      oldValue: "helloworld:1.0.0",
      newValue: "helloworld:1.0.1",
      setter: "test-ns:policy",
    },
  ],
  values: { cluster: "prod", testing: "value" },
};

const change = (
  file: string,
  object: FileChange["object"],
  oldValue: string,
  newValue: string,
  setter: string,
) => ({
  file,
  object,
  oldValue,
  newValue,
  setter,
});

/** Several files and objects, one file holding no Kubernetes object. */
const several: CommitMessageData = {
  automation: { namespace: "flux-system", name: "podinfo" },
  changes: [
    change(
      "base/deployment.yaml",
      deployment("podinfo", "default"),
      "podinfo:5.0.0",
      "podinfo:5.0.3",
      "flux-system:podinfo",
    ),
    change(
      "base/deployment.yaml",
      deployment("podinfo", "default"),
      "nginx:1.0",
      "nginx:1.1",
      "flux-system:nginx",
    ),
    change(
      "apps/cronjob.yaml",
      { apiVersion: "batch/v1", kind: "CronJob", name: "backup", namespace: "ops" },
      "tool:v1",
      "tool:v2",
      "flux-system:tool:tag",
    ),
    change("apps/a.yaml", deployment("alpha", "default"), "a:1", "a:2", "flux-system:a"),
    change(
      "kustomization.yaml",
      { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", name: "" },
      "k:1",
      "k:2",
      "flux-system:k",
    ),
    change("notes.yaml", undefined, "n:1", "n:2", "flux-system:n"),
  ],
};

// The templates of Flux's ImageUpdateAutomation documentation (spec v1).
const documented = lines(
  "Automated image update",
  "",
  "Automation name: {{ .AutomationObject }}",
  "",
  "Files:",
  "{{ range $filename, $_ := .Changed.FileChanges -}}",
  "- {{ $filename }}",
  "{{ end -}}",
  "",
  "Objects:",
  "{{ range $resource, $changes := .Changed.Objects -}}",
  "- {{ $resource.Kind }} {{ $resource.Name }}",
  "  Changes:",
  "{{- range $_, $change := $changes }}",
  "    - {{ $change.OldValue }} -> {{ $change.NewValue }}",
  "{{ end -}}",
  "{{ end -}}",
  "",
);

const withFunctions = lines(
  "Automated image update",
  "",
  "Automation name: {{ .AutomationObject }}",
  "",
  "Files:",
  "{{ range $filename, $_ := .Changed.FileChanges -}}",
  "- {{ $filename }}",
  "{{ end -}}",
  "",
  "Objects:",
  "{{ range $resource, $changes := .Changed.Objects -}}",
  "- {{ $resource.Kind | lower }} {{ $resource.Name | lower }}",
  "  Changes:",
  "{{- range $_, $change := $changes }}",
  '  {{ if contains "5.0.3" $change.NewValue -}}',
  "    - {{ $change.OldValue }} -> {{ $change.NewValue }}",
  "  {{ else -}}",
  "    [skip ci] wrong image",
  "  {{ end -}}",
  "{{ end -}}",
  "{{ end -}}",
  "",
);

const gerrit = lines(
  "Perform automatic image update",
  "",
  "Automation name: {{ .AutomationObject }}",
  "",
  "{{- $ChangeId := .AutomationObject -}}",
  '{{- $ChangeId = printf "%s%s" $ChangeId ( .Changed.FileChanges | toString ) -}}',
  '{{- $ChangeId = printf "%s%s" $ChangeId ( .Changed.Objects | toString ) -}}',
  '{{- $ChangeId = printf "%s%s" $ChangeId ( .Changed.Changes | toString ) }}',
  'Change-Id: {{ printf "I%s" ( sha256sum $ChangeId | trunc 40 ) }}',
  "",
);

const gitea = "{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}";

// The templates of Flux's source_test.go.
const resultV2 = lines(
  "Commit summary with ResultV2",
  "",
  "Automation: {{ .AutomationObject }}",
  "",
  "{{ range $filename, $objchange := .Changed.FileChanges -}}",
  "- File: {{ $filename }}",
  "{{- range $obj, $changes := $objchange }}",
  "  - Object: {{ $obj.Kind }}/{{ $obj.Namespace }}/{{ $obj.Name }}",
  "    Changes:",
  "{{- range $_ , $change := $changes }}",
  "    - {{ $change.OldValue }} -> {{ $change.NewValue }}",
  "{{ end -}}",
  "{{ end -}}",
  "{{ end -}}",
  "",
);

const withValues = lines(
  "Commit summary",
  "",
  "Automation: {{ .AutomationObject }}",
  "",
  'Cluster: {{ index .Values "cluster" }}',
  "Testing: {{ .Values.testing }}",
  "",
);

// Each expected message is what Flux's Go code gives for the same template and data.
const messages: Array<[string, string, CommitMessageData, string]> = [
  [
    "the documented example",
    documented,
    fluxTest,
    lines(
      "Automated image update",
      "",
      "Automation name: test-ns/test-update",
      "",
      "Files:",
      "- deploy.yaml",
      "Objects:",
      "- Deployment test",
      "  Changes:",
      "    - helloworld:1.0.0 -> helloworld:1.0.1",
      "",
    ),
  ],
  [
    "the documented example, several files",
    documented,
    several,
    lines(
      "Automated image update",
      "",
      "Automation name: flux-system/podinfo",
      "",
      "Files:",
      "- apps/a.yaml",
      "- apps/cronjob.yaml",
      "- base/deployment.yaml",
      "- kustomization.yaml",
      "Objects:",
      "- Deployment alpha",
      "  Changes:",
      "    - a:1 -> a:2",
      "- Deployment podinfo",
      "  Changes:",
      "    - podinfo:5.0.0 -> podinfo:5.0.3",
      "",
      "    - nginx:1.0 -> nginx:1.1",
      "- CronJob backup",
      "  Changes:",
      "    - tool:v1 -> tool:v2",
      "- Kustomization ",
      "  Changes:",
      "    - k:1 -> k:2",
      "",
    ),
  ],
  [
    "the documented example with functions",
    withFunctions,
    fluxTest,
    lines(
      "Automated image update",
      "",
      "Automation name: test-ns/test-update",
      "",
      "Files:",
      "- deploy.yaml",
      "Objects:",
      "- deployment test",
      "  Changes:",
      "  [skip ci] wrong image",
      "  ",
    ),
  ],
  [
    "the documented example with functions, several files",
    withFunctions,
    several,
    lines(
      "Automated image update",
      "",
      "Automation name: flux-system/podinfo",
      "",
      "Files:",
      "- apps/a.yaml",
      "- apps/cronjob.yaml",
      "- base/deployment.yaml",
      "- kustomization.yaml",
      "Objects:",
      "- deployment alpha",
      "  Changes:",
      "  [skip ci] wrong image",
      "  - deployment podinfo",
      "  Changes:",
      "  - podinfo:5.0.0 -> podinfo:5.0.3",
      "  ",
      "  [skip ci] wrong image",
      "  - cronjob backup",
      "  Changes:",
      "  [skip ci] wrong image",
      "  - kustomization ",
      "  Changes:",
      "  [skip ci] wrong image",
      "  ",
    ),
  ],
  [
    "the documented Gerrit Change-Id",
    gerrit,
    fluxTest,
    lines(
      "Perform automatic image update",
      "",
      "Automation name: test-ns/test-update",
      "Change-Id: I81d87b76992592a5a329174b34e4a418613a0171",
      "",
    ),
  ],
  ["the documented Gitea template", gitea, fluxTest, "helloworld:1.0.0 -> helloworld:1.0.1\n"],
  [
    "the documented values",
    "Automated image update by Flux for cluster {{ .Values.cluster }}.",
    fluxTest,
    "Automated image update by Flux for cluster prod.",
  ],
  [
    "Flux's ResultV2 test",
    resultV2,
    fluxTest,
    lines(
      "Commit summary with ResultV2",
      "",
      "Automation: test-ns/test-update",
      "",
      "- File: deploy.yaml",
      "  - Object: Deployment//test",
      "    Changes:",
      "    - helloworld:1.0.0 -> helloworld:1.0.1",
      "",
    ),
  ],
  [
    "Flux's ResultV2 test, several files",
    resultV2,
    several,
    lines(
      "Commit summary with ResultV2",
      "",
      "Automation: flux-system/podinfo",
      "",
      "- File: apps/a.yaml",
      "  - Object: Deployment/default/alpha",
      "    Changes:",
      "    - a:1 -> a:2",
      "- File: apps/cronjob.yaml",
      "  - Object: CronJob/ops/backup",
      "    Changes:",
      "    - tool:v1 -> tool:v2",
      "- File: base/deployment.yaml",
      "  - Object: Deployment/default/podinfo",
      "    Changes:",
      "    - podinfo:5.0.0 -> podinfo:5.0.3",
      "",
      "    - nginx:1.0 -> nginx:1.1",
      "- File: kustomization.yaml",
      "  - Object: Kustomization//",
      "    Changes:",
      "    - k:1 -> k:2",
      "",
    ),
  ],
  [
    "Flux's values test",
    withValues,
    fluxTest,
    lines("Commit summary", "", "Automation: test-ns/test-update", "", "Cluster: prod", "Testing: value", ""),
  ],
];

// How the Go-shaped data reads and prints, checked against Go with Flux's types.
const view: Array<[string, string]> = [
  [
    '{{ .AutomationObject.Name }} {{ .AutomationObject.Namespace }} {{ .AutomationObject.String }} {{ printf "%v|%+v|%s|%T" .AutomationObject .AutomationObject .AutomationObject .AutomationObject }}',
    "test-update test-ns test-ns/test-update test-ns/test-update|test-ns/test-update|test-ns/test-update|types.NamespacedName",
  ],
  [
    '{{ .Changed }}|{{ .Changed.FileChanges }}|{{ .Changed.Objects }}|{{ printf "%+v" .Changed }}',
    "{map[deploy.yaml:map[{{{apps/v1 Deployment} {test }}}:[{helloworld:1.0.0 helloworld:1.0.1 test-ns:policy}]]]}|map[deploy.yaml:map[{{{apps/v1 Deployment} {test }}}:[{helloworld:1.0.0 helloworld:1.0.1 test-ns:policy}]]]|map[{{{apps/v1 Deployment} {test }}}:[{helloworld:1.0.0 helloworld:1.0.1 test-ns:policy}]]|{FileChanges:map[deploy.yaml:map[{ResourceIdentifier:{TypeMeta:{APIVersion:apps/v1 Kind:Deployment} NameMeta:{Name:test Namespace:}}}:[{OldValue:helloworld:1.0.0 NewValue:helloworld:1.0.1 Setter:test-ns:policy}]]]}",
  ],
  [
    '{{ range $o, $c := .Changed.Objects }}{{ $o }} {{ $o.ResourceIdentifier }} {{ $o.TypeMeta }} {{ $o.APIVersion }} {{ printf "%T" $o }}\n{{ end }}',
    "{{{apps/v1 Deployment} {test }}} {{apps/v1 Deployment} {test }} {apps/v1 Deployment} apps/v1 update.ObjectIdentifier\n",
  ],
  [
    '{{ .Values }} {{ .Values.missing }} {{ index .Values "missing" }} {{ len .Values }}',
    "map[cluster:prod testing:value] <no value>  2",
  ],
  [
    "{{ range .Changed.FileChanges }}{{ range $o, $cs := . }}{{ range $cs }}{{ .Setter }} {{ end }}{{ end }}{{ end }}",
    "test-ns:policy ",
  ],
  [
    '{{ with index .Changed.FileChanges "deploy.yaml" }}{{ len . }}{{ end }}{{ index .Changed.FileChanges "nope" }}',
    "1map[]",
  ],
  [
    "{{ toJson .AutomationObject }} {{ range $o, $c := .Changed.Objects }}{{ toJson $o }} {{ toJson $c }}{{ end }} {{ toJson .Changed }} {{ toJson .Values }}",
    '{"Namespace":"test-ns","Name":"test-update"} {"apiVersion":"apps/v1","kind":"Deployment","name":"test"} [{"OldValue":"helloworld:1.0.0","NewValue":"helloworld:1.0.1","Setter":"test-ns:policy"}]  {"cluster":"prod","testing":"value"}',
  ],
  [
    "{{ range $o, $c := .Changed.Objects }}{{ toPrettyJson $o }}{{ end }}",
    '{\n  "apiVersion": "apps/v1",\n  "kind": "Deployment",\n  "name": "test"\n}',
  ],
  ["{{ .AutomationObject | toString | upper }} {{ upper .Values.cluster }}", "TEST-NS/TEST-UPDATE PROD"],
  ["{{ if eq (len .Changed.Changes) 1 }}one{{ else }}many{{ end }}", "one"],
  ["{{ $o := .Changed.Objects }}{{ range $k, $v := $o }}{{ eq $k $k }}{{ end }}", "true"],
  [
    "{{ .Changed.FileChanges }}",
    "map[deploy.yaml:map[{{{apps/v1 Deployment} {test }}}:[{helloworld:1.0.0 helloworld:1.0.1 test-ns:policy}]]]",
  ],
];

describe("commitMessage", () => {
  it("is Flux's default without a template", () => {
    expect(defaultCommitMessage).toBe("Update from image update automation");
    expect(commitMessage(undefined, fluxTest)).toBe(defaultCommitMessage);
    expect(commitMessage("", fluxTest)).toBe(defaultCommitMessage);
  });

  it.each(messages)("%s", (_, template, data, expected) => {
    expect(commitMessage(template, data)).toBe(expected);
  });

  it.each(view)("%s", (template, expected) => {
    expect(commitMessage(template, fluxTest)).toBe(expected);
  });

  it("prints object keys in Go's order: API version, kind, name, namespace", () => {
    const template = "{{ range $o, $_ := .Changed.Objects }}{{ $o.Kind }}/{{ $o.Name }} {{ end }}";
    expect(commitMessage(template, several)).toBe(
      "Deployment/alpha Deployment/podinfo CronJob/backup Kustomization/ ",
    );
  });

  it("gathers an object's changes across files, and each change once in .Changes", () => {
    // Flux's TestTemplateMsgAggregatesObjectChangesAcrossFiles, plus a change repeated in two files.
    const podinfo = deployment("podinfo", "default");
    const data: CommitMessageData = {
      automation: { namespace: "flux-system", name: "podinfo" },
      changes: [
        change("overlays/prod/deployment.yaml", podinfo, "1", "2", "flux-system:replicas"),
        change("base/deployment.yaml", podinfo, "podinfo:v1.0.0", "podinfo:v1.0.1", "flux-system:podinfo"),
        change("other/deployment.yaml", podinfo, "1", "2", "flux-system:replicas"),
      ],
    };
    const template = lines(
      "{{ range $o, $changes := .Changed.Objects }}{{ $o.Name }}:{{ range $changes }} {{ .OldValue }}->{{ .NewValue }}{{ end }}{{ end }}",
      "{{ range .Changed.Changes }}{{ .Setter }} {{ end }}",
    );
    expect(commitMessage(template, data)).toBe(
      lines("podinfo: podinfo:v1.0.0->podinfo:v1.0.1 1->2 1->2", "flux-system:podinfo flux-system:replicas "),
    );
  });

  it("leaves out changes outside Kubernetes objects, as Flux does", () => {
    const template = "{{ range $f, $_ := .Changed.FileChanges }}{{ $f }} {{ end }}{{ len .Changed.Changes }}";
    expect(commitMessage(template, several)).toBe(
      "apps/a.yaml apps/cronjob.yaml base/deployment.yaml kustomization.yaml 5",
    );
  });

  it("has empty values when the automation sets none", () => {
    expect(commitMessage("{{ .Values }} {{ .Values.cluster }}", { ...fluxTest, values: undefined })).toBe(
      "map[] <no value>",
    );
  });

  it.each([
    [
      "{{ range .Updated.Images }}{{ . }}{{ end }}",
      "template: commit message:1:10: executing \"commit message\" at <.Updated.Images>: template uses removed '.Updated' field. Please use '.Changed' instead. See: https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template",
    ],
    [
      "Files:\n{{ range $f, $_ := .Changed.ImageResult.Files }}{{ $f }}{{ end }}",
      "template: commit message:2:20: executing \"commit message\" at <.Changed.ImageResult.Files>: template uses removed '.Changed.ImageResult' field. Please use '.Changed.FileChanges' or '.Changed.Objects' instead. See: https://fluxcd.io/flux/components/image/imageupdateautomations/#message-template",
    ],
  ])("names the removed field in %j", (template, message) => {
    expect(() => commitMessage(template, fluxTest)).toThrow(TemplateError);
    expect(() => commitMessage(template, fluxTest)).toThrow(message);
  });

  it.each([
    [
      "{{ .Nope }}",
      'template: commit message:1:4: executing "commit message" at <.Nope>: can\'t evaluate field Nope in type source.TemplateData',
    ],
    [
      "{{ .Changed.Changes 1 }}",
      'template: commit message:1:4: executing "commit message" at <.Changed.Changes>: wrong number of args for Changes: want 0 got 1',
    ],
    [
      "{{ lower .AutomationObject }}",
      'template: commit message:1:10: executing "commit message" at <.AutomationObject>: wrong type for value; expected string; got types.NamespacedName',
    ],
    [
      "{{ keys .Values }}",
      'template: commit message:1:9: executing "commit message" at <.Values>: wrong type for value; expected map[string]interface {}; got map[string]string',
    ],
    ["{{ if }}", "template: commit message:1:7: missing value for if"],
  ])("fails on %j as Go does", (template, message) => {
    expect(() => commitMessage(template, fluxTest)).toThrow(message);
  });
});
