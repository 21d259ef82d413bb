import { request as httpRequest } from 'node:http'

import { assertLoopback, loopbackRequest } from './loopback-network-client'

/** What the fake browser saw. */
export interface BrowserVisit {
  authorizeUrl: URL
  formAction?: string
  fields?: Record<string, string>
  loopbackStatus?: number
  loopbackBody?: string
}

/** Parses the auto-submit form Entra returns for response_mode=form_post. */
export function parseAutoSubmitForm(html: string): {
  action: string
  fields: Record<string, string>
} {
  const action = /<form[^>]*action="([^"]+)"/i.exec(html)?.[1]
  if (!action) {
    throw new Error('[test] no form in the authorize page')
  }
  const fields: Record<string, string> = {}
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
    if (m[1] !== undefined && m[2] !== undefined) {
      fields[unescapeHtml(m[1])] = unescapeHtml(m[2])
    }
  }
  return { action: unescapeHtml(action), fields }
}

function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

/** POSTs a form to msal's loopback server (IPv4 only) and returns status and body. */
export function postToLoopback(
  action: string,
  fields: Record<string, string>
): Promise<{ status: number; body: string }> {
  const target = new URL(action)
  if (target.hostname === 'localhost') {
    target.hostname = '127.0.0.1'
  }
  assertLoopback(target)
  const body = new URLSearchParams(fields).toString()
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      target,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body)
        }
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })
        )
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

/**
 * A "fake system browser" for msal's `openBrowser`: GETs the authorize URL, parses the
 * auto-submitting form and POSTs it to the loopback redirect (reference/auth.md §11 step 4a).
 */
export function fakeBrowser(ca: string): {
  openBrowser: (url: string) => Promise<void>
  visits: BrowserVisit[]
} {
  const visits: BrowserVisit[] = []
  const openBrowser = async (url: string): Promise<void> => {
    const visit: BrowserVisit = { authorizeUrl: new URL(url) }
    visits.push(visit)
    const page = await loopbackRequest(url, { ca })
    const form = parseAutoSubmitForm(page.text)
    visit.formAction = form.action
    visit.fields = form.fields
    // Submit after openBrowser returns, as a real browser would.
    setTimeout(() => {
      postToLoopback(form.action, form.fields)
        .then((r) => {
          visit.loopbackStatus = r.status
          visit.loopbackBody = r.body
        })
        .catch(() => undefined)
    }, 0)
  }
  return { openBrowser, visits }
}

/** `openBrowser` for headless-IdP mode: a bare GET of the authorize URL (the IdP posts). */
export function bareGetBrowser(ca: string): (url: string) => Promise<void> {
  return async (url) => {
    await loopbackRequest(url, { ca })
  }
}
