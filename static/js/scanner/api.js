// The scanner's JSON API client: CSRF header, a 3-second timeout, and an online flag that
// flips by itself (a failed or slow request means offline; any answer means online).
// A 401 or 403 means that this page may no longer scan (its scanner link was revoked or has
// expired, or the person was signed out): the client tells the page once, then refuses every
// further call without sending it.
const TIMEOUT_MS = 3000
// A scan waits this long for the server before the page answers from the phone's own list;
// its request goes on for up to LATE_MS, and a late answer brings the page back online.
export const ANSWER_MS = 800
const LATE_MS = 10000

export class NetworkError extends Error {}

// No answer to use, as with a network error (callers carry on the same way), and this page
// may no longer scan: onAccessLost has been called.
export class AccessLost extends NetworkError {}

export class Api {
  constructor (base, { onState, onAccessLost }) {
    this.base = base
    this.onState = onState
    this.onAccessLost = onAccessLost
    this.online = navigator.onLine
    this.lost = false
    this.csrf = document.querySelector('meta[name="csrf-token"]')?.content || ''
  }

  setOnline (online) {
    if (online !== this.online) {
      this.online = online
      this.onState(online)
    }
  }

  async request (path, { method = 'GET', body, headers = {}, timeout = TIMEOUT_MS } = {}) {
    if (this.lost) throw new AccessLost('This page may no longer scan.')
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), timeout)
    let response
    try {
      response = await fetch(this.base + path, {
        method,
        headers: {
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(method === 'GET' ? {} : { 'X-CSRFToken': this.csrf }),
          ...headers
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        signal: controller.signal,
        cache: 'no-store'
      })
    } catch (error) {
      this.setOnline(false)
      throw new NetworkError(error.message)
    } finally {
      clearTimeout(timer)
    }
    if (response.status >= 500 || response.status === 429) {
      // The server is there but failing (or says "too many, wait"): carry on offline, the
      // scan stays queued, and retry later.
      this.setOnline(false)
      throw new NetworkError(`HTTP ${response.status}`)
    }
    if (response.status === 401 || response.status === 403) {
      if (!this.lost) {
        this.lost = true
        this.onAccessLost()
      }
      throw new AccessLost(`HTTP ${response.status}`)
    }
    let data = null
    if (response.status !== 304) data = await response.json().catch(() => null)
    this.setOnline(true) // last: a scan that stopped waiting for this answer went offline first
    return { ok: response.ok, status: response.status, data, response }
  }

  get (path, headers) { return this.request(path, { headers }) }
  post (path, body) { return this.request(path, { method: 'POST', body }) }

  // A POST whose answer is awaited for ANSWER_MS at most: the answer, or null when the server
  // is slower than that. The page then counts as offline (slow) while the request goes on.
  async postQuickly (path, body) {
    const request = this.request(path, { method: 'POST', body, timeout: LATE_MS })
    let timer
    const slow = new Promise((resolve) => { timer = setTimeout(resolve, ANSWER_MS, null) })
    try {
      const answer = await Promise.race([request, slow])
      if (answer === null) this.setOnline(false)
      return { answer, late: request }
    } finally {
      clearTimeout(timer)
    }
  }
}
