// Types of stack-plan.mjs for the TypeScript bench entries that import it.

/** `[first column, second column or '']` per stack change. */
export declare const STACK_PLAN: readonly (readonly [string, string])[]
