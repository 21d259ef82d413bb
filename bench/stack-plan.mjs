// What both explorer benchmarks stack by, in order (explorer.bench.mjs in the page, query-index
// under Node): single columns and pairs, alternating so every change shows different counts.

/** `[first column, second column or '']` per stack change. */
export const STACK_PLAN = [
  ['userId', ''],
  ['environment', 'activity'],
  ['connector', ''],
  ['activity', 'userId'],
  ['operation', ''],
  ['clientIp', ''],
  ['environment', ''],
  ['userId', 'environment'],
  ['activity', ''],
  ['connector', 'operation'],
  ['category', ''],
  ['resultStatus', 'userTypeLabel']
]
