// What the explorer benchmark reads of the renderer's memory through the DevTools protocol, beyond
// the process's pages (browser-shell.mjs `rendererMemory`): the query worker's heap and buffers,
// and, on request (CAX_BENCH_MEMORY=1), Chromium's own accounting by allocator (V8, Blink's
// garbage-collected heap, PartitionAlloc, malloc, compositor tiles…) and a sampling of what the
// page allocates, by function, while it scrolls. Together they tell live data from garbage not yet
// collected, and whose it is.

const MB = 1024 ** 2

/**
 * The query worker's JS heap in use and the bytes of its ArrayBuffers (where the index lives:
 * the heap holds little more than the objects around them), or null.
 */
export async function workerHeap(cdp) {
  // The query worker is its own V8 isolate: attach to it from the page's CDP session.
  try {
    const { targetInfos } = await cdp.send('Target.getTargets')
    let total = 0
    let buffers = 0
    let found = 0
    for (const target of targetInfos.filter((t) => t.type === 'worker')) {
      const { sessionId } = await cdp.send('Target.attachToTarget', {
        targetId: target.targetId,
        flatten: false
      })
      let listener
      const answer = new Promise((resolve) => {
        listener = (event) => {
          if (event.sessionId === sessionId) {
            const message = JSON.parse(event.message)
            if (message.id === 1) {
              resolve(message.result)
            }
          }
        }
        cdp.on('Target.receivedMessageFromTarget', listener)
      })
      let timer
      let result
      try {
        await cdp.send('Target.sendMessageToTarget', {
          sessionId,
          message: JSON.stringify({ id: 1, method: 'Runtime.getHeapUsage' })
        })
        result = await Promise.race([
          answer,
          new Promise((resolve) => {
            timer = setTimeout(() => resolve(null), 5000)
          })
        ])
      } finally {
        // Each reading attaches afresh: leave no session or listener behind to weigh on the
        // worker or on the next reading.
        clearTimeout(timer)
        cdp.off('Target.receivedMessageFromTarget', listener)
        await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {})
      }
      if (result) {
        found++
        total += result.usedSize
        buffers += result.backingStorageSize ?? 0
      }
    }
    return found > 0 ? { heapBytes: total, bufferBytes: buffers } : null
  } catch (error) {
    console.log(`[bench] worker heap not available: ${error.message}`)
    return null
  }
}

/**
 * Probes on the page's DevTools session: `dump()` asks Chromium for a memory dump and returns its
 * allocators (two levels deep, 4 MB or more) per process as text; `startSampling()` and
 * `stopSampling()` bracket a sampling of the page's allocations (collected ones included) and
 * return the functions that allocated most.
 */
export async function memoryProbes(page) {
  const cdp = await page.context().newCDPSession(page)
  return {
    dump: () => memoryDump(cdp),
    startSampling: async () => {
      await cdp.send('HeapProfiler.enable')
      await cdp.send('HeapProfiler.startSampling', {
        samplingInterval: 16_384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true
      })
    },
    stopSampling: async () => {
      const { profile } = await cdp.send('HeapProfiler.stopSampling')
      return allocationSummary(profile)
    },
    close: () => cdp.detach()
  }
}

async function memoryDump(cdp) {
  const events = []
  const collect = (event) => events.push(...event.value)
  cdp.on('Tracing.dataCollected', collect)
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve))
  await cdp.send('Tracing.start', {
    traceConfig: {
      includedCategories: ['disabled-by-default-memory-infra'],
      memoryDumpConfig: { triggers: [] }
    }
  })
  const { success } = await cdp.send('Tracing.requestMemoryDump', {
    deterministic: false,
    levelOfDetail: 'detailed'
  })
  await cdp.send('Tracing.end')
  await complete
  cdp.off('Tracing.dataCollected', collect)
  if (!success) {
    return '  (Chromium made no memory dump)'
  }
  const names = new Map()
  for (const event of events) {
    if (event.ph === 'M' && event.name === 'process_name') {
      names.set(event.pid, event.args?.name ?? '')
    }
  }
  const byProcess = new Map()
  for (const event of events) {
    const allocators = event.ph === 'v' ? event.args?.dumps?.allocators : null
    if (!allocators) {
      continue
    }
    const sizes = byProcess.get(event.pid) ?? new Map()
    byProcess.set(event.pid, sizes)
    for (const [name, allocator] of Object.entries(allocators)) {
      const size = Number.parseInt(allocator.attrs?.size?.value ?? '0', 16)
      if (name.split('/').length <= 2 && size >= 4 * MB) {
        sizes.set(name, Math.max(sizes.get(name) ?? 0, size))
      }
    }
  }
  const lines = []
  for (const [pid, sizes] of byProcess) {
    if (sizes.size === 0) {
      continue
    }
    const top = [...sizes].sort((a, b) => b[1] - a[1])
    lines.push(
      `  ${names.get(pid) || 'process'} ${pid}: ` +
        top.map(([name, size]) => `${name} ${(size / MB).toFixed(0)} MB`).join(', ')
    )
  }
  return lines.join('\n')
}

/** The total a sampling profile saw allocated and the 20 functions that allocated most. */
function allocationSummary(profile) {
  const bySite = new Map()
  const walk = (node) => {
    const { functionName, url, lineNumber } = node.callFrame
    const site = `${functionName || '(anonymous)'} ${url.split('/').pop() || '(native)'}:${lineNumber + 1}`
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize)
    for (const child of node.children) {
      walk(child)
    }
  }
  walk(profile.head)
  const total = [...bySite.values()].reduce((sum, size) => sum + size, 0)
  const top = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 20)
  return [
    `  ${(total / MB).toFixed(0)} MB in all; by function:`,
    ...top.map(([site, size]) => `  ${(size / MB).toFixed(1).padStart(6)} MB ${site}`)
  ].join('\n')
}
