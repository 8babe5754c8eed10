// What the volunteer sees and hears: the full-screen result, offline state, queue count,
// conflicts found when syncing. Colour always comes with words.
const CLASSES = { green: 'lgcamp-scan-result--ok', amber: 'lgcamp-scan-result--warn', red: 'lgcamp-scan-result--bad' }
const SHOW_MS = { green: 2500, amber: 4000, red: 4000 }
const TONES = { green: [[880, 0.12]], amber: [[520, 0.1], [520, 0.1]], red: [[220, 0.45]] }
const VIBRATION = { green: [80], amber: [80, 80, 80], red: [400] }

const $ = (id) => document.getElementById(id)

export class Ui {
  constructor (timezone) {
    this.overlay = $('scan-result')
    this.timer = null
    this.audio = null
    this.timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: timezone })
    $('result-next').addEventListener('click', () => this.hide())
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

  show (outcome, { queued = false, onUndo = null } = {}) {
    const colour = outcome.colour
    this.overlay.className = `lgcamp-scan-result ${CLASSES[colour]}`
    this.overlay.dataset.colour = colour
    $('result-title').textContent = outcome.title
    $('result-name').textContent = outcome.name || ''
    $('result-detail').textContent = outcome.detail || ''
    $('result-access').hidden = !outcome.has_access_needs
    $('result-queued').hidden = !queued
    const undo = $('result-undo')
    undo.hidden = !onUndo
    undo.onclick = onUndo
    this.overlay.hidden = false
    this.signal(colour)
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.hide(), SHOW_MS[colour])
  }

  hide () {
    clearTimeout(this.timer)
    this.overlay.hidden = true
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
    $('offline-banner').hidden = online
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

  cameraStatus (text, { showButton = false } = {}) {
    $('camera-status').textContent = text
    $('camera-start').hidden = !showButton
  }
}
