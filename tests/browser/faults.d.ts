export const scenarios: Record<string, (manager: unknown) => Promise<void>>;
export function runAll(manager: unknown): Promise<{ passed: number; failed: [string, string][] }>;
