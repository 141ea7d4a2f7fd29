/** Ends every switch over a union, so a new member breaks the build where it must be handled. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
