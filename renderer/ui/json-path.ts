// Paths and clipboard text for the JSON tree (pure).
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return IDENT.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** What "Copy value" puts on the clipboard: strings bare, everything else as JSON. */
export function copyableValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}
