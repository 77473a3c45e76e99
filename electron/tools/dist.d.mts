// Types for the parts of dist.mjs the tests use.
export const RUNTIME_PACKAGES: string[];
export function productionPackages(projectRoot: string, roots?: string[]): string[];
export function stagePackageJson(pkg: Record<string, unknown>, electronVersion: string): Record<string, unknown>;
export function reportSizes(outDir: string): { what: string; bytes: number }[];
