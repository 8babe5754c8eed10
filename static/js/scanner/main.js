// The door scanner: camera scans, search and walk-ins, and offline without a switch.
// Online, each scan goes to the API, and the page waits for its answer for under a second
// (api.ANSWER_MS). When a request fails or is slower than that the page carries on offline:
// it checks scans against the ticket list kept in IndexedDB, queues them with their scan ids,
// and sends the queue when the connection is back. Scan ids make every send idempotent, so
// nothing is lost or counted twice, even when a slow request did arrive after all.
// A 401 or 403 from any call ends scanning on this page (api.AccessLost): see loseAccess.
import { Api, NetworkError } from './api.js'
import { Camera } from './camera.js'
import { Search } from './search.js'
import { Store } from './store.js'
import { hashToken, newScanId, parsePayload } from './ticket.js'
import { Ui } from './ui.js'

const root = document.getElementById('scanner')
const slug = root.dataset.event
const ui = new Ui(root.dataset.timezone)
const REFRESH_MS = 60000
const PROBE_MS = 5000
const DOOR_NAME = 'lgcamp-door-name'
// People signed in name their door here (kept on the phone); a scanner link has its label.
const doorField = root.dataset.doorEditable === 'true' ? document.getElementById('door-name') : null

const deviceId = localStorage.getItem('lgcamp-device-id') || newScanId()
localStorage.setItem('lgcamp-device-id', deviceId)
const seenConflicts = new Set(JSON.parse(localStorage.getItem('lgcamp-seen-conflicts') || '[]'))

let store
let camera
let syncing = false
let checkInWindow = null // { opens_at, closes_at }: the event's check-in hours, from the list
const api = new Api(root.dataset.api, {
  onState: (online) => {
    ui.setOnline(online)
    if (online) sync().then(refreshTickets)
  },
  onAccessLost: () => loseAccess()
})

// The door name sent with every call (none: the server uses the person's name or the link's).
function deviceLabel () {
  return doorField?.value.trim() || undefined
}

// The door shown on this phone for its own check-ins.
function door () {
  return deviceLabel() || root.dataset.door
}

function setUpDoorName () {
  if (!doorField) return
  doorField.value = localStorage.getItem(DOOR_NAME) || ''
  document.getElementById('door-name-group').hidden = false
  const show = () => { document.getElementById('door-label').textContent = door() }
  doorField.addEventListener('input', () => {
    localStorage.setItem(DOOR_NAME, doorField.value.trim())
    show()
  })
  show()
}

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
      checkInWindow = answer.data.window || null
      await store.setMeta('window', checkInWindow)
      await store.setMeta('etag', answer.response.headers.get('ETag'))
      // Check-ins still waiting in the queue are not in the server's list yet.
      for (const item of await store.queued(1000)) {
        if (item.local === 'green') await store.patchTicket(item.token_hash, { c: item.device_time, d: door() })
      }
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error
  }
  await showQueue()
}

// Why the door refuses check-ins at this moment (as the server does: README, Door check-in),
// or null in the event's check-in hours.
function windowProblem (at) {
  if (!checkInWindow) return null
  if (at < new Date(checkInWindow.opens_at)) {
    return { title: 'Check-in not open yet', detail: `Check-in opens at ${ui.dayTime(checkInWindow.opens_at)}. Nothing was recorded.` }
  }
  if (at >= new Date(checkInWindow.closes_at)) {
    return { title: 'Check-in has closed', detail: `Check-in closed at ${ui.dayTime(checkInWindow.closes_at)}. Nothing was recorded.` }
  }
  return null
}

function localOutcome (ticket, token) {
  if (!token) return { colour: 'red', result: 'invalid', title: 'Not a ticket', detail: 'This code is not an lgcamp ticket.' }
  if (!ticket) return { colour: 'red', result: 'unknown', title: 'Ticket not recognised', detail: 'Not on this event’s ticket list.' }
  const base = { name: ticket.n, ticket_type: ticket.t, has_access_needs: Boolean(ticket.a) }
  if (ticket.s === 'released' && ticket.r) {
    return { ...base, colour: 'amber', result: 'released', title: `Place released at the door at ${ui.time(ticket.r)}`, detail: 'Not checked in in time, so the place went to walk-ins. Admitting them as a walk-in needs a connection.' }
  }
  if (ticket.s !== 'confirmed') {
    const titles = { cancelled: 'Booking cancelled', released: 'Ticket given back' }
    return { ...base, colour: 'red', result: ticket.s, title: titles[ticket.s] || 'No confirmed place', detail: `Booking status: ${ticket.s}.` }
  }
  if (ticket.c) {
    return { ...base, colour: 'amber', result: 'duplicate', title: 'Already checked in', detail: `Checked in at ${ticket.d} at ${ui.time(ticket.c)}` }
  }
  const closed = windowProblem(new Date())
  if (closed) return { ...base, colour: 'red', result: 'outside_window', ...closed }
  return { ...base, colour: 'green', result: 'accepted', title: 'Checked in', detail: ticket.t }
}

// --- scans ----------------------------------------------------------------------------------

const OFFLINE_UNDO = 'Undo needs a connection, and this phone is offline. Try again when the connection is back.'

// Undo a check-in on the server: { ok }, or { ok: false, message, retry } to show, or
// { lost } when this page may no longer scan (the banner says so).
async function undoCheckIn (checkInId, hash) {
  if (!api.online) return { ok: false, message: OFFLINE_UNDO, retry: true }
  try {
    const answer = await api.post(`check-ins/${checkInId}/undo`, { device_label: deviceLabel() })
    if (answer.ok) {
      if (hash) await store.patchTicket(hash, { c: null, d: null })
      refreshTickets()
      return { ok: true }
    }
    return { ok: false, message: answer.data?.error?.message || 'The server refused it.' }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error
    if (api.lost) return { ok: false, lost: true }
    return { ok: false, message: OFFLINE_UNDO, retry: true }
  }
}

// The result screen's Undo (green results the server recorded).
function undoFor (outcome, hash) {
  if (outcome.colour !== 'green' || !outcome.check_in_id) return null
  const undo = async () => {
    const done = await undoCheckIn(outcome.check_in_id, hash)
    if (done.lost) return
    if (done.ok) {
      ui.show({ colour: 'amber', title: 'Check-in undone', name: outcome.name, detail: 'Scan again to check in.' })
    } else {
      ui.show({ colour: 'red', title: 'Not undone', name: outcome.name, detail: done.message }, { onUndo: done.retry ? undo : null })
    }
  }
  return undo
}

// Admit as a walk-in someone whose place was released at the door (needs a connection):
// the server's outcome (green), or a red one saying why not.
async function admit (bookingId) {
  const refused = (detail) => ({ colour: 'red', title: 'Not admitted', detail })
  if (!api.online) return refused('Admitting a walk-in needs a connection, and this phone is offline.')
  try {
    const body = { scan_id: newScanId(), booking_id: bookingId, device_time: new Date().toISOString(), sent_at: new Date().toISOString(), device_id: deviceId, device_label: deviceLabel() }
    const answer = await api.post('admissions', body)
    if (answer.ok) {
      refreshTickets()
      return answer.data
    }
    return refused(answer.data?.error?.message || 'The server refused it.')
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error
    if (api.lost) return null
    return refused('Admitting a walk-in needs a connection, and this phone is offline.')
  }
}

function admitFor (outcome) {
  if (!outcome.can_admit || !outcome.booking_id) return null
  return async () => {
    const admitted = await admit(outcome.booking_id)
    if (admitted) ui.show(admitted, { onUndo: undoFor(admitted) })
  }
}

async function remember (hash, outcome) {
  if (hash && outcome.checked_in_at) await store.patchTicket(hash, { c: outcome.checked_in_at, d: outcome.door })
}

// Show the server's answer to a scan if it comes within api.ANSWER_MS; otherwise decide on
// the phone. Returns { outcome, queued }, or null when this page may no longer scan.
async function submit (scan, hash) {
  if (api.lost) return null
  if (api.online) {
    try {
      const body = { ...scan, sent_at: new Date().toISOString(), device_id: deviceId, device_label: deviceLabel() }
      const { answer, late } = await api.postQuickly('scans', body)
      if (answer === null) return decideHere(scan, hash, late)
      if (answer.ok) {
        await remember(hash, answer.data)
        ui.show(answer.data, { onUndo: undoFor(answer.data, hash), onAdmit: admitFor(answer.data) })
        return { outcome: answer.data, queued: false }
      }
      const outcome = { colour: 'red', title: answer.data?.error?.title || 'Not accepted', detail: answer.data?.error?.message || '' }
      ui.show(outcome)
      return { outcome, queued: false }
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error
      if (api.lost) return null
    }
  }
  return decideHere(scan, hash)
}

// Offline, or the server failed or was slow: answer from the ticket list on this phone and
// queue the scan with its own scan id. The answer of a slow request that comes later is not
// shown (this one was); the queued copy is sent as soon as the page is back online, and the
// server records it once, whichever copy arrives first.
async function decideHere (scan, hash, late = null) {
  const ticket = hash ? await store.getTicket(hash) : null
  const outcome = localOutcome(ticket, hash)
  await store.enqueue({ ...scan, payload: hash ? undefined : '', token_hash: hash || undefined, local: outcome.colour })
  if (outcome.colour === 'green') await store.patchTicket(hash, { c: scan.device_time, d: door() })
  if (api.lost) {
    ui.accessLost(await store.countQueued()) // one more scan that could not be sent
    return null
  }
  ui.show(outcome, { queued: true })
  await showQueue()
  // The late answer may have come while the scan was being queued: send the queue now.
  late?.then(() => sync(), () => {})
  return { outcome, queued: true }
}

async function onCode (payload) {
  const token = parsePayload(payload)
  const hash = token ? await hashToken(token) : null
  const scan = { scan_id: newScanId(), method: 'qr', payload: payload.slice(0, 600), device_time: new Date().toISOString() }
  await submit(scan, hash)
}

function checkInMatch (match) {
  const scan = { scan_id: newScanId(), method: 'search', booking_id: match.booking_id, device_time: new Date().toISOString() }
  return submit(scan, match.h)
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
      const answer = await api.post('sync', { sent_at: new Date().toISOString(), device_id: deviceId, device_label: deviceLabel(), scans })
      if (!answer.ok) break // a 4xx for the whole batch: keep the queue (401/403 throw)
      const local = new Map(items.map((item) => [item.scan_id, item.local]))
      for (const result of answer.data.results) {
        if (result.colour === 'amber' && local.get(result.scan_id) === 'green') noteConflict(result)
        // Checked in on this phone, refused by the server (outside the check-in hours, say).
        if (result.colour === 'red' && local.get(result.scan_id) === 'green') ui.addRefused(result)
      }
      for (const superseded of answer.data.superseded) noteConflict(superseded)
      await store.dequeue(items.map((item) => item.scan_id))
    }
    if (!(await store.countQueued())) {
      // Ask for conflicts even when nothing was queued: another door may have synced since.
      const answer = await api.post('sync', { sent_at: new Date().toISOString(), device_id: deviceId, device_label: deviceLabel(), scans: [] })
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

// This page may no longer scan (a 401 or 403): stop the camera, take the names off the phone,
// and say so, with the number of scans that could not be sent (they stay queued, and are sent
// when this phone can scan for the event again: a new link, or signing in again).
async function loseAccess () {
  camera?.stop()
  await store.clearTickets()
  ui.accessLost(await store.countQueued())
  await showQueue()
}

async function startCamera () {
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
  checkInWindow = (await store.getMeta('window')) || null
  setUpDoorName()
  ui.setOnline(api.online)
  await showQueue()
  camera = new Camera(document.getElementById('camera'), (payload) => {
    onCode(payload).catch((error) => ui.show({ colour: 'red', title: 'Scan failed', detail: error.message }))
  })
  document.getElementById('camera-start').addEventListener('click', () => startCamera())
  new Search({ // eslint-disable-line no-new
    api,
    store,
    deviceLabel,
    onCheckIn: checkInMatch,
    onUndo: (match) => undoCheckIn(match.check_in_id, match.h),
    onAdmit: async (match) => {
      const outcome = await admit(match.booking_id)
      if (outcome) ui.show(outcome, { onUndo: undoFor(outcome) })
      return outcome
    },
    time: (iso) => ui.time(iso),
    onWalkIn: (outcome) => ui.show(outcome, { onUndo: undoFor(outcome) }),
    returnFocusTo: (element) => ui.returnFocusTo(element)
  })
  window.addEventListener('offline', () => api.setOnline(false))
  window.addEventListener('online', () => probe())
  setInterval(probe, PROBE_MS)
  setInterval(() => sync().then(refreshTickets), REFRESH_MS)
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register(root.dataset.sw).catch(() => {})
  }
  startCamera()
  if (api.online) {
    await probe()
    await sync()
    await refreshTickets()
  }
  root.dataset.ready = 'true'
}

main()
