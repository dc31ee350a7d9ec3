// The walk of surface.js, for the TypeScript suites that import it.
export const OBJECT: unique symbol;
export const CONSTRUCTOR_KEYS: [string, object, typeof OBJECT?][];
export function walkingRunner(): ((context: unknown) => unknown) & { body?: (context: unknown) => unknown };
export function walk(
  manager: unknown,
  instance: unknown,
  options?: { constructorKeys?: [string, object, symbol?][]; forwarded?: boolean; runner?: unknown },
): Promise<number>;
export function revoked(target?: object): object;
export function unprintable(): object;
