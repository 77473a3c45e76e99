// Types for the parts of ensure-electron.mjs that tests and dist.mjs use.
export function nativeBindingFileName(electronVersion: string, betterSqliteVersion: string, platform: string, arch: string): string;
export function readModuleAbi(file: string): number | null;
export function electronAbi(electronDir: string, electronVersion: string, req: (id: string) => unknown): number | null;
export function cleanBuildEnv(env?: Record<string, string | undefined>): Record<string, string | undefined>;
export function sandboxProblem(opts: {
  platform?: string;
  electronDir: string;
  stat?: (file: string) => { uid: number; mode: number };
  readFile?: (file: string) => string;
}): { helper: string; message: string } | null;
