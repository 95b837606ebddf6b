import { renderTemplate } from "../../../src/images/message/template.js";
import { GoSlice, stringMap, type Value } from "../../../src/images/message/values.js";

/**
 * Plain data as Go's `encoding/json` would decode it into `interface{}`, but with whole numbers as
 * Go ints: objects become `map[string]interface {}`, arrays `[]interface {}`.
 */
export function goValue(data: unknown): Value {
  if (data === null || data === undefined) return data as null | undefined;
  if (typeof data === "number") return Number.isInteger(data) ? BigInt(data) : data;
  if (typeof data === "string" || typeof data === "boolean") return data;
  if (Array.isArray(data)) return new GoSlice("[]interface {}", data.map(goValue));
  return stringMap(Object.entries(data as object).map(([key, item]) => [key, goValue(item)]));
}

/** The output of a template named like Flux's on plain data. */
export function render(template: string, data?: unknown): string {
  return renderTemplate(template, goValue(data), { name: "commit message" });
}

/** The message of the error a template throws, or undefined if it does not. */
export function renderError(template: string, data?: unknown): string | undefined {
  try {
    render(template, data);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}
