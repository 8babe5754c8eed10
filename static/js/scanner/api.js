// The scanner's JSON API client: CSRF header, a 3-second timeout, and an online flag that
// flips by itself (a failed or slow request means offline; any answer means online).
const TIMEOUT_MS = 3000

export class NetworkError extends Error {}

export class Api {
  constructor (base, onState) {
    this.base = base
    this.onState = onState
    this.online = navigator.onLine
    this.csrf = document.querySelector('meta[name="csrf-token"]')?.content || ''
  }

  setOnline (online) {
    if (online !== this.online) {
      this.online = online
      this.onState(online)
    }
  }

  async request (path, { method = 'GET', body, headers = {} } = {}) {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS)
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
    if (response.status >= 500) {
      // The server is there but failing: carry on offline and retry later.
      this.setOnline(false)
      throw new NetworkError(`HTTP ${response.status}`)
    }
    this.setOnline(true)
    let data = null
    if (response.status !== 304) data = await response.json().catch(() => null)
    return { ok: response.ok, status: response.status, data, response }
  }

  get (path, headers) { return this.request(path, { headers }) }
  post (path, body) { return this.request(path, { method: 'POST', body }) }
}
