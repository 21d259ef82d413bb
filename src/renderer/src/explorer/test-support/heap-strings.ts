/**
 * Node's heap snapshot, for tests (vitest runs them under Node; the renderer's own code never
 * reaches Node's modules, hence no import of them).
 */
interface NodeV8 {
  getHeapSnapshot(): AsyncIterable<unknown>
}

function nodeV8(): NodeV8 {
  const { process } = globalThis as unknown as {
    process: { getBuiltinModule(id: string): NodeV8 }
  }
  return process.getBuiltinModule('node:v8')
}

/**
 * The strings in the heap (after a collection) that start with `prefix` and are longer (the
 * prefix itself may be a literal of the test).
 */
export async function heapStringsStartingWith(prefix: string): Promise<string[]> {
  let json = ''
  for await (const part of nodeV8().getHeapSnapshot()) {
    json += String(part)
  }
  const snapshot = JSON.parse(json) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }
    nodes: number[]
    strings: string[]
  }
  const { node_fields: fields, node_types: types } = snapshot.snapshot.meta
  const type = fields.indexOf('type')
  const name = fields.indexOf('name')
  const found: string[] = []
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const text = snapshot.strings[snapshot.nodes[i + name]!]!
    if (
      types[0][snapshot.nodes[i + type]!] === 'string' &&
      text.length > prefix.length &&
      text.startsWith(prefix)
    ) {
      found.push(text.slice(0, 60))
    }
  }
  return found
}
