// Ticket codes on the phone: the same payload rules as the server (checkin/scans.py),
// SHA-256 hashes (the offline list holds hashes only), and scan ids.
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/
const MAX_PAYLOAD = 512

export function parsePayload (payload) {
  let text = (payload || '').trim()
  if (!text || text.length > MAX_PAYLOAD) return null
  if (text.includes('/') || text.includes('?')) {
    try {
      const url = new URL(text, 'https://ticket.invalid/')
      const fromQuery = url.searchParams.get('t') || url.searchParams.get('token')
      const segments = url.pathname.split('/').filter(Boolean)
      text = fromQuery || segments[segments.length - 1] || ''
    } catch {
      return null
    }
  }
  return TOKEN.test(text) ? text : null
}

export async function hashToken (token) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

export function newScanId () {
  if (crypto.randomUUID) return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
