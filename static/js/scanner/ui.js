// What the volunteer sees and hears: the full-screen result, offline state, queue count,
// conflicts found when syncing, and the banner when this page may no longer scan. Colour
// always comes with words.
//
// The result takes the focus (its "Next scan" button) and gives it back when it closes. A
// result that offers Undo (or Admit) stays until the volunteer taps "Next scan" or scans the next ticket
// (the camera goes on reading behind it, and a new result replaces it). Other results close
// by themselves, unless the volunteer asked to keep results on screen, or points at, touches,
// or uses the keyboard on the result: then it stays until "Next scan" (WCAG 2.2.1).
const CLASSES = { green: 'lgcamp-scan-result--ok', amber: 'lgcamp-scan-result--warn', red: 'lgcamp-scan-result--bad' }
const SHOW_MS = { green: 2500, amber: 5000, red: 5000 }
const TONES = { green: [[880, 0.12]], amber: [[520, 0.1], [520, 0.1]], red: [[220, 0.45]] }
const VIBRATION = { green: [80], amber: [80, 80, 80], red: [400] }
const KEEP_RESULTS = 'lgcamp-keep-results'

const $ = (id) => document.getElementById(id)

export class Ui {
  constructor (timezone) {
    this.overlay = $('scan-result')
    this.timer = null
    this.returnTo = null
    this.focusing = false
    this.audio = null
    this.timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: timezone })
    this.dayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: timezone })
    $('result-next').addEventListener('click', () => this.hide())
    const undo = $('result-undo')
    undo.addEventListener('click', () => {
      if (!this.onUndo || undo.disabled) return
      undo.disabled = true // one request per tap; the next result enables it again
      this.onUndo()
    })
    const admit = $('result-admit')
    admit.addEventListener('click', () => {
      if (!this.onAdmit || admit.disabled) return
      admit.disabled = true // one request per tap; the next result enables it again
      this.onAdmit()
    })
    for (const type of ['pointerenter', 'pointerdown', 'keydown']) {
      this.overlay.addEventListener(type, () => this.hold())
    }
    this.overlay.addEventListener('focusin', () => { if (!this.focusing) this.hold() })
    this.overlay.addEventListener('keydown', (event) => this.keys(event))

    const keep = $('keep-results')
    keep.checked = localStorage.getItem(KEEP_RESULTS) === 'true'
    keep.addEventListener('change', () => localStorage.setItem(KEEP_RESULTS, String(keep.checked)))
    $('keep-results-group').hidden = false
    this.keep = keep

    // Browsers allow sound only after the person has touched the page.
    const unlock = () => {
      if (!this.audio && window.AudioContext) this.audio = new AudioContext()
    }
    document.addEventListener('pointerdown', unlock, { once: true })
    document.addEventListener('keydown', unlock, { once: true })
  }

  time (iso) {
    return iso ? this.timeFormat.format(new Date(iso)) : ''
  }

  // "06:00 on Saturday 26 December", in the event's timezone.
  dayTime (iso) {
    return iso ? `${this.time(iso)} on ${this.dayFormat.format(new Date(iso))}` : ''
  }

  show (outcome, { queued = false, onUndo = null, onAdmit = null } = {}) {
    const colour = outcome.colour
    if (this.overlay.hidden) this.returnTo = document.activeElement
    this.overlay.className = `lgcamp-scan-result ${CLASSES[colour]}`
    this.overlay.dataset.colour = colour
    $('result-title').textContent = outcome.title
    $('result-name').textContent = outcome.name || ''
    $('result-detail').textContent = outcome.detail || ''
    $('result-access').hidden = !outcome.has_access_needs
    $('result-queued').hidden = !queued
    const undo = $('result-undo')
    this.onUndo = onUndo
    undo.hidden = !onUndo
    undo.disabled = false
    const admit = $('result-admit')
    this.onAdmit = onAdmit
    admit.hidden = !onAdmit
    admit.disabled = false
    this.overlay.hidden = false
    this.signal(colour)
    this.hold()
    if (!onUndo && !onAdmit && !this.keep.checked) this.timer = setTimeout(() => this.hide(), SHOW_MS[colour])
    this.focusing = true
    $('result-next').focus({ preventScroll: true })
    this.focusing = false
  }

  // Stop the result closing by itself: it stays until "Next scan" or the next result.
  hold () {
    clearTimeout(this.timer)
    this.timer = null
  }

  hide () {
    if (this.overlay.hidden) return
    this.hold()
    this.overlay.hidden = true
    const target = this.returnTo
    this.returnTo = null
    if (target && !target.isConnected) $('scanner-heading').focus({ preventScroll: true })
    else if (target && target !== document.body) target.focus({ preventScroll: true })
  }

  // Where the focus goes when the result closes (the element it came from may be gone).
  returnFocusTo (element) {
    if (this.overlay.hidden) element.focus()
    else this.returnTo = element
  }

  keys (event) {
    if (event.key === 'Escape') {
      this.hide()
      return
    }
    if (event.key !== 'Tab') return
    // The result covers the page: keep the focus on its own buttons while it is shown.
    const buttons = [...this.overlay.querySelectorAll('button')].filter((b) => !b.hidden && !b.disabled)
    const at = buttons.indexOf(document.activeElement)
    const next = event.shiftKey ? (at <= 0 ? buttons.length - 1 : at - 1) : (at + 1) % buttons.length
    event.preventDefault()
    buttons[next].focus()
  }

  signal (colour) {
    if (navigator.vibrate) navigator.vibrate(VIBRATION[colour])
    if (!this.audio || this.audio.state !== 'running') return
    let at = this.audio.currentTime
    for (const [frequency, seconds] of TONES[colour]) {
      const oscillator = this.audio.createOscillator()
      const gain = this.audio.createGain()
      oscillator.frequency.value = frequency
      gain.gain.value = 0.2
      oscillator.connect(gain).connect(this.audio.destination)
      oscillator.start(at)
      oscillator.stop(at + seconds)
      at += seconds + 0.05
    }
  }

  setOnline (online) {
    $('offline-banner').hidden = online || !$('denied-banner').hidden
    document.body.dataset.online = online ? 'true' : 'false'
  }

  setQueue (count, tickets) {
    const parts = []
    if (count) parts.push(`${count} scan${count === 1 ? '' : 's'} waiting to be sent.`)
    else parts.push('All scans sent.')
    if (tickets !== undefined) parts.push(`${tickets} tickets on this phone.`)
    const status = $('sync-status')
    status.textContent = parts.join(' ')
    status.dataset.queued = String(count)
  }

  addConflict (outcome) {
    const item = document.createElement('li')
    item.textContent = `${outcome.name || 'A ticket'}: ${outcome.detail}`
    $('conflict-list').prepend(item)
    $('conflicts').hidden = false
  }

  // A scan checked in on this phone while offline that the server refused when it was sent.
  addRefused (outcome) {
    const item = document.createElement('li')
    item.textContent = `${outcome.name || 'A ticket'}: ${outcome.title}. ${outcome.detail}`
    $('refused-list').prepend(item)
    $('refused').hidden = false
  }

  cameraStatus (text, { showButton = false } = {}) {
    $('camera-status').textContent = text
    $('camera-start').hidden = !showButton
  }

  // This page may no longer scan: the red banner says so and how many scans are still on the
  // phone; the scanning tools (and the names in them) go.
  accessLost (queued) {
    this.hide()
    $('scanner-tools').hidden = true
    $('offline-banner').hidden = true
    $('denied-queue').textContent = queued
      ? `${queued} scan${queued === 1 ? '' : 's'} could not be sent. ${queued === 1 ? 'It stays' : 'They stay'} on this phone and will be sent when it can scan for this event again.`
      : 'Every scan from this phone was sent.'
    $('denied-banner').hidden = false
    $('denied-banner').focus()
  }
}
