type Scenario = (manager: unknown) => Promise<void>;
export const suites: Record<string, Record<string, Scenario>>;
export function runAll(
  scenarios: Record<string, Scenario>,
  manager: unknown,
): Promise<{ passed: number; failed: [string, string][] }>;
