// The door scanner: camera scans, search and walk-ins, and offline without a switch.
// Online, each scan goes to the API (3-second timeout). When a request fails or is slow the
// page carries on offline: it checks scans against the ticket list kept in IndexedDB,
// queues them with their scan ids, and sends the queue when the connection is back.
// Scan ids make every send idempotent, so nothing is lost or counted twice.
import { Api, NetworkError } from './api.js'
import { Camera } from './camera.js'
import { Search } from './search.js'
import { Store } from './store.js'
import { hashToken, newScanId, parsePayload } from './ticket.js'
import { Ui } from './ui.js'

const root = document.getElementById('scanner')
const slug = root.dataset.event
const door = root.dataset.door
const ui = new Ui(root.dataset.timezone)
const REFRESH_MS = 60000
const PROBE_MS = 5000

const deviceId = localStorage.getItem('lgcamp-device-id') || newScanId()
localStorage.setItem('lgcamp-device-id', deviceId)
const seenConflicts = new Set(JSON.parse(localStorage.getItem('lgcamp-seen-conflicts') || '[]'))

let store
let syncing = false
const api = new Api(root.dataset.api, (online) => {
  ui.setOnline(online)
  if (online) sync().then(refreshTickets)
})

async function showQueue () {
  ui.setQueue(await store.countQueued(), await store.countTickets())
}

// --- the ticket list on the phone -----------------------------------------------------------

async function refreshTickets () {
  if (!api.online) return
  try {
    const etag = await store.getMeta('etag')
    const answer = await api.get('tickets', etag ? { 'If-None-Match': etag } : {})
    if (answer.status === 200 && answer.data) {
      await store.replaceTickets(answer.data.tickets)
      await store.setMeta('etag', answer.response.headers.get('ETag'))
      // Check-ins still waiting in the queue are not in the server's list yet.
      for (const item of await store.queued(1000)) {
        if (item.local === 'green') await store.patchTicket(item.token_hash, { c: item.device_time, d: door })
      }
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error
  }
  await showQueue()
}

function localOutcome (ticket, token) {
  if (!token) return { colour: 'red', result: 'invalid', title: 'Not a ticket', detail: 'This code is not an lgcamp ticket.' }
  if (!ticket) return { colour: 'red', result: 'unknown', title: 'Ticket not recognised', detail: 'Not on this event’s ticket list.' }
  const base = { name: ticket.n, ticket_type: ticket.t, has_access_needs: Boolean(ticket.a) }
  if (ticket.s !== 'confirmed') {
    const titles = { cancelled: 'Booking cancelled', released: 'Ticket given back' }
    return { ...base, colour: 'red', result: ticket.s, title: titles[ticket.s] || 'No confirmed place', detail: `Booking status: ${ticket.s}.` }
  }
  if (ticket.c) {
    return { ...base, colour: 'amber', result: 'duplicate', title: 'Already checked in', detail: `Checked in at ${ticket.d} at ${ui.time(ticket.c)}` }
  }
  return { ...base, colour: 'green', result: 'accepted', title: 'Checked in', detail: ticket.t }
}

// --- scans ----------------------------------------------------------------------------------

function undoFor (outcome) {
  if (outcome.colour !== 'green' || !outcome.check_in_id) return null
  return async () => {
    try {
      const answer = await api.post(`check-ins/${outcome.check_in_id}/undo`, {})
      if (answer.ok) {
        ui.show({ colour: 'amber', title: 'Check-in undone', name: outcome.name, detail: 'Scan again to check in.' })
        refreshTickets()
        return
      }
    } catch {
      // falls through to the message below
    }
    ui.show({ colour: 'red', title: 'Not undone', detail: 'Undo needs a connection. Try again.' })
  }
}

async function remember (hash, outcome) {
  if (hash && outcome.checked_in_at) await store.patchTicket(hash, { c: outcome.checked_in_at, d: outcome.door })
}

async function submit (scan, hash) {
  if (api.online) {
    try {
      const answer = await api.post('scans', { ...scan, sent_at: new Date().toISOString(), device_id: deviceId, device_label: door })
      if (answer.ok) {
        await remember(hash, answer.data)
        ui.show(answer.data, { onUndo: undoFor(answer.data) })
        return
      }
      ui.show({ colour: 'red', title: answer.data?.error?.title || 'Not accepted', detail: answer.data?.error?.message || '' })
      return
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error
    }
  }
  // Offline, or the request failed or took too long: decide here and queue the same scan id.
  const ticket = hash ? await store.getTicket(hash) : null
  const outcome = localOutcome(ticket, hash)
  await store.enqueue({ ...scan, payload: hash ? undefined : '', token_hash: hash || undefined, local: outcome.colour })
  if (outcome.colour === 'green') await store.patchTicket(hash, { c: scan.device_time, d: door })
  ui.show(outcome, { queued: true })
  await showQueue()
}

async function onCode (payload) {
  const token = parsePayload(payload)
  const hash = token ? await hashToken(token) : null
  const scan = { scan_id: newScanId(), method: 'qr', payload: payload.slice(0, 600), device_time: new Date().toISOString() }
  await submit(scan, hash)
}

async function checkInMatch (match) {
  const scan = { scan_id: newScanId(), method: 'search', booking_id: match.booking_id, device_time: new Date().toISOString() }
  if (!api.online) {
    // Queued by token hash, like an offline QR scan.
    const ticket = await store.getTicket(match.h)
    const outcome = localOutcome(ticket, match.h)
    await store.enqueue({ scan_id: scan.scan_id, method: 'search', token_hash: match.h, device_time: scan.device_time, local: outcome.colour })
    if (outcome.colour === 'green') await store.patchTicket(match.h, { c: scan.device_time, d: door })
    ui.show(outcome, { queued: true })
    await showQueue()
    return
  }
  await submit(scan, match.h)
}

// --- sync -----------------------------------------------------------------------------------

function noteConflict (outcome) {
  const key = `${outcome.scan_id}:${outcome.result}`
  if (seenConflicts.has(key)) return
  seenConflicts.add(key)
  localStorage.setItem('lgcamp-seen-conflicts', JSON.stringify([...seenConflicts].slice(-200)))
  ui.addConflict(outcome)
}

async function sync () {
  if (syncing || !api.online) return
  syncing = true
  try {
    for (;;) {
      const items = await store.queued(100)
      if (!items.length) break
      const scans = items.map(({ scan_id, method, payload, token_hash, booking_id, device_time }) => ({ scan_id, method, payload, token_hash, booking_id, device_time }))
      const answer = await api.post('sync', { sent_at: new Date().toISOString(), device_id: deviceId, device_label: door, scans })
      if (!answer.ok) break // a 4xx for the whole batch (link revoked): keep the queue
      const local = new Map(items.map((item) => [item.scan_id, item.local]))
      for (const result of answer.data.results) {
        if (result.colour === 'amber' && local.get(result.scan_id) === 'green') noteConflict(result)
      }
      for (const superseded of answer.data.superseded) noteConflict(superseded)
      await store.dequeue(items.map((item) => item.scan_id))
    }
    if (!(await store.countQueued())) {
      // Ask for conflicts even when nothing was queued: another door may have synced since.
      const answer = await api.post('sync', { sent_at: new Date().toISOString(), device_id: deviceId, device_label: door, scans: [] })
      if (answer.ok) for (const superseded of answer.data.superseded) noteConflict(superseded)
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error
  } finally {
    syncing = false
    await showQueue()
  }
}

async function probe () {
  if (!api.online) {
    try {
      await api.get('ping')
    } catch {
      // still offline
    }
  }
}

// --- start ----------------------------------------------------------------------------------

async function startCamera (camera) {
  const panel = document.getElementById('camera-panel')
  panel.hidden = false
  if (!navigator.mediaDevices?.getUserMedia) {
    ui.cameraStatus('This browser cannot use the camera here (it needs https). Use search instead.')
    return
  }
  try {
    await camera.start()
    ui.cameraStatus('Ready: hold a ticket QR code in front of the camera.')
  } catch (error) {
    ui.cameraStatus(`The camera did not start (${error.name}). Allow the camera, then try again.`, { showButton: true })
  }
}

async function main () {
  store = await Store.open(slug)
  ui.setOnline(api.online)
  await showQueue()
  const camera = new Camera(document.getElementById('camera'), (payload) => {
    onCode(payload).catch((error) => ui.show({ colour: 'red', title: 'Scan failed', detail: error.message }))
  })
  document.getElementById('camera-start').addEventListener('click', () => startCamera(camera))
  new Search({ api, store, onCheckIn: checkInMatch, onWalkIn: (outcome) => ui.show(outcome, { onUndo: undoFor(outcome) }) }) // eslint-disable-line no-new
  window.addEventListener('offline', () => api.setOnline(false))
  window.addEventListener('online', () => probe())
  setInterval(probe, PROBE_MS)
  setInterval(() => sync().then(refreshTickets), REFRESH_MS)
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register(root.dataset.sw).catch(() => {})
  }
  startCamera(camera)
  if (api.online) {
    await probe()
    await sync()
    await refreshTickets()
  }
  root.dataset.ready = 'true'
}

main()
