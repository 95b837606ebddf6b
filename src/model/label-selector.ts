/** Kubernetes label selectors (`matchLabels` and `matchExpressions`), as the API server matches them. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: ReadonlyArray<{
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: readonly string[];
  }>;
}

/** Whether `labels` satisfy every requirement of `selector`; an empty selector matches everything. */
export function matchesLabels(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> = {},
): boolean {
  const has = (key: string) => Object.hasOwn(labels, key);
  return (
    Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value) &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      if (operator === "In") return has(key) && values.includes(labels[key] as string);
      if (operator === "NotIn") return !has(key) || !values.includes(labels[key] as string);
      return operator === "Exists" ? has(key) : !has(key);
    })
  );
}
