// The parts of the explorer benchmark (explorer.bench.mjs) that run inside the page, through
// Playwright's page.evaluate: each is serialized on its own, so it may use only its arguments and
// the page's globals. Each acts as a user would (clicks, typing, scrolling) and times until the
// page shows the answer.

/**
 * Runs in the page: writes `rows` rows of `bytes` bytes each (random, so nothing compresses) into
 * a throw-away IndexedDB database, `perTransaction` rows per transaction — the raw rate — then
 * reads them back; returns both times.
 */
export async function rawWriteInPage({ rows, bytes, perTransaction }) {
  const name = 'cax-bench-raw'
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = request.onerror = () => resolve()
  })
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1)
    request.onupgradeneeded = () => request.result.createObjectStore('rows')
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const payload = new Uint8Array(bytes)
  for (let i = 0; i < bytes; i += 65536) {
    crypto.getRandomValues(payload.subarray(i, Math.min(bytes, i + 65536)))
  }
  const started = performance.now()
  for (let row = 0; row < rows; row += perTransaction) {
    const tx = db.transaction('rows', 'readwrite')
    for (let k = row; k < Math.min(rows, row + perTransaction); k++) {
      payload[0] = k & 0xff
      tx.objectStore('rows').put(payload.slice().buffer, k)
    }
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve
      tx.onerror = () => reject(tx.error)
    })
  }
  const took = performance.now() - started
  // The same bytes read back as the query worker reads column chunks (a dozen rows per request):
  // what any opening that reads that many bytes out of IndexedDB pays at least.
  const readStarted = performance.now()
  let readBytes = 0
  for (let row = 0; row < rows; row += 12) {
    const values = await new Promise((resolve, reject) => {
      const request = db
        .transaction('rows')
        .objectStore('rows')
        .getAll(IDBKeyRange.bound(row, Math.min(rows, row + 12), false, true))
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
    for (const value of values) {
      readBytes += value.byteLength
    }
  }
  const readMs = performance.now() - readStarted
  db.close()
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = request.onerror = () => resolve()
  })
  return { writeMs: took, readMs, readBytes }
}

/**
 * Runs in the page: the bytes and rows of the cache's column chunks — what opening reads — from
 * the sizes of their stored Blobs (nothing is read).
 */
export async function columnBytesInPage() {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open('connector-audit-explorer')
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const rows = await new Promise((resolve, reject) => {
    const request = db.transaction('columns').objectStore('columns').getAll()
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  db.close()
  let bytes = 0
  for (const row of rows) {
    bytes += row.packed instanceof Blob ? row.packed.size : (row.packed?.byteLength ?? 0)
  }
  return { bytes, rows: rows.length }
}

/** Runs in the page: toggles facets and ranges, timing each change until the count updates. */
export async function filterChangesInPage({ changes }) {
  const status = document.querySelector('[data-testid="explorer-status"]')
  const waitForStatus = (before) =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        observer.disconnect()
        resolve(false)
      }, 15_000)
      const observer = new MutationObserver(() => {
        if (status.textContent !== before) {
          clearTimeout(timer)
          observer.disconnect()
          resolve(true)
        }
      })
      observer.observe(status, { childList: true, characterData: true, subtree: true })
    })
  const timeChange = async (act) => {
    const before = status.textContent
    const t0 = performance.now()
    act()
    const changed = await waitForStatus(before)
    return changed ? performance.now() - t0 : null
  }
  const setSelect = (select, value) => {
    const setter = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set
    setter.call(select, value)
    select.dispatchEvent(new Event('change', { bubbles: true }))
  }
  const sections = ['Activity', 'User', 'Environment', 'Connector', 'Category']
  const times = []
  const failed = []
  for (let i = 0; times.length + failed.length < changes; i++) {
    let act
    if (i % 6 === 5) {
      const select = document.querySelector('select[aria-label="Date range"]')
      const value = select.value === '30d' ? 'all' : '30d'
      act = () => setSelect(select, value)
    } else {
      const section = document.querySelector(
        `aside[aria-label="Facets"] section[aria-label="${sections[i % sections.length]} facet"]`
      )
      const boxes = section ? section.querySelectorAll('input[type="checkbox"]') : []
      const box = boxes[Math.floor(i / sections.length) % Math.max(1, boxes.length)]
      if (!box) {
        continue
      }
      // On, then off again: the count changes both ways.
      act = () => box.click()
      const on = await timeChange(act)
      ;(on === null ? failed : times).push(on ?? i)
      if (times.length + failed.length >= changes) {
        break
      }
    }
    const t = await timeChange(act)
    ;(t === null ? failed : times).push(t ?? i)
  }
  return { times, failed: failed.length }
}

/**
 * Runs in the page: opens the stack panel and changes what it stacks by (one column, then pairs),
 * timing each change until the stack's summary and first entry show the new counts — the same
 * "until the screen answers" measure as the filter changes. Every stack counts every row the view
 * shows, in the query worker. `plan`: stack-plan.mjs, handed in (this runs in the page).
 */
export async function stackChangesInPage({ changes, plan }) {
  const summary = () => document.querySelector('[data-testid="stack-summary"]')?.textContent ?? ''
  const firstEntry = () => document.querySelector('[data-testid="stack-entry"]')?.textContent ?? ''
  const settled = () => summary() !== '' && summary() !== 'Counting…'
  const wait = (predicate) =>
    new Promise((resolve) => {
      const t0 = performance.now()
      const check = () => {
        if (predicate()) {
          resolve(true)
        } else if (performance.now() - t0 > 15_000) {
          resolve(false)
        } else {
          requestAnimationFrame(check)
        }
      }
      check()
    })
  const setSelect = (select, value) => {
    const setter = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set
    setter.call(select, value)
    select.dispatchEvent(new Event('change', { bubbles: true }))
  }
  if (!document.querySelector('section[aria-label="Stack"]')) {
    ;[...document.querySelectorAll('button')].find((b) => b.textContent === 'Stack').click()
  }
  await wait(settled)
  const by = document.querySelector('select[aria-label="Stack by"]')
  const then = document.querySelector('select[aria-label="Then by"]')
  const times = []
  let failed = 0
  for (let i = 0; i < changes; i++) {
    const [first, second] = plan[i % plan.length]
    const before = `${summary()}|${firstEntry()}`
    const t0 = performance.now()
    // Both selects change in one task: React renders once, one stack is asked for.
    setSelect(by, first)
    setSelect(then, second)
    const ok = await wait(() => settled() && `${summary()}|${firstEntry()}` !== before)
    if (ok) {
      times.push(performance.now() - t0)
    } else {
      failed++
    }
  }
  ;[...document.querySelectorAll('button')].find((b) => b.textContent === 'Close stack')?.click()
  return { times, failed }
}

/** Runs in the page: sorts by a column header and times until row 0 shows the new order. */
export async function sortInPage({ colId, isAdded = false }) {
  const rowText = () => document.querySelector('[role="row"][row-index="0"]')?.textContent ?? ''
  const before = rowText()
  const header = document.querySelector(`.ag-header-cell[col-id="${colId}"] .ag-header-cell-label`)
  const t0 = performance.now()
  // A shift-click adds a sort key (multi-column sort, ordered by the worker over every row).
  header.dispatchEvent(new MouseEvent('click', { bubbles: true, shiftKey: isAdded }))
  return new Promise((resolve) => {
    const check = () => {
      const now = rowText()
      if (now !== '' && now !== before && !now.includes('Loading')) {
        resolve(performance.now() - t0)
      } else if (performance.now() - t0 > 15_000) {
        resolve(null)
      } else {
        requestAnimationFrame(check)
      }
    }
    requestAnimationFrame(check)
  })
}

/** Runs in the page: scrolls the grid for ~frames frames and records frame times. */
export async function scrollInPage({ frames, step }) {
  // The element that really scrolls the rows (ag-grid's class names move between majors).
  const viewport = [...document.querySelectorAll('section[aria-label="Audit records"] *')].find(
    (el) =>
      el.scrollHeight > el.clientHeight + 1000 &&
      ['auto', 'scroll'].includes(getComputedStyle(el).overflowY)
  )
  const deltas = []
  let last = performance.now()
  for (let i = 0; i < frames; i++) {
    viewport.scrollTop += step
    await new Promise((resolve) => requestAnimationFrame(resolve))
    const now = performance.now()
    deltas.push(now - last)
    last = now
  }
  // Give the last blocks time to arrive, then count rows still waiting for data.
  await new Promise((resolve) => setTimeout(resolve, 500))
  const rows = [...document.querySelectorAll('[role="row"][row-index]')]
  const empty = rows.filter((row) => (row.textContent ?? '').trim() === '').length
  return { deltas, rowsShown: rows.length, emptyRows: empty }
}

/**
 * Runs in the page: types quick searches and times each until the status answers it (its
 * data-search names the search the shown counts answer: two searches may give the same count).
 */
export async function quickSearchesInPage({ terms, debounceMs }) {
  const status = document.querySelector('[data-testid="explorer-status"]')
  const input = document.querySelector('input[aria-label="Quick search"]')
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set
  const times = []
  const byTerm = {}
  let failed = 0
  for (const term of terms) {
    const answered = () =>
      status.dataset.search === term && !(status.textContent ?? '').includes('loading')
    const changed = new Promise((resolve) => {
      const timer = setTimeout(() => {
        observer.disconnect()
        resolve(false)
      }, 15_000)
      const observer = new MutationObserver(() => {
        if (answered()) {
          clearTimeout(timer)
          observer.disconnect()
          resolve(true)
        }
      })
      observer.observe(status, {
        attributes: true,
        childList: true,
        characterData: true,
        subtree: true
      })
    })
    const t0 = performance.now()
    setter.call(input, term)
    input.dispatchEvent(new Event('input', { bubbles: true }))
    if (await changed) {
      times.push(performance.now() - t0 - debounceMs)
      byTerm[term] = Math.round(times[times.length - 1])
    } else {
      failed++
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  setter.call(input, '')
  input.dispatchEvent(new Event('input', { bubbles: true }))
  return { times, byTerm, failed }
}
