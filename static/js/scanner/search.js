// Search and walk-ins on the scanner page, without leaving it. Online: the API; offline:
// names in the ticket list on this phone (check-ins from there are queued like scans).
// Each row says what happened to it (words, with the result's colour as a tag); checked-in
// people found online can be checked out again with Undo, and people whose place was
// released at the door can be admitted as walk-ins.
// Results follow the typing (after a short pause), and are scrolled into view on a phone,
// where they would otherwise appear below the camera.
const $ = (id) => document.getElementById(id)
const TYPING_MS = 250

function cell (row, text, tag = 'td') {
  const element = document.createElement(tag)
  element.className = tag === 'th' ? 'govuk-table__header' : 'govuk-table__cell'
  if (tag === 'th') element.scope = 'row'
  element.textContent = text
  row.append(element)
  return element
}

function statusTag (text, colour) {
  const tag = document.createElement('strong')
  tag.className = `govuk-tag lgcamp-tag--${colour} lgcamp-search-status`
  tag.textContent = text
  return tag
}

function button (text, name, secondary = false) {
  const element = document.createElement('button')
  element.type = 'button'
  element.className = `govuk-button${secondary ? ' govuk-button--secondary' : ''} govuk-!-margin-bottom-0`
  element.textContent = text
  const hidden = document.createElement('span')
  hidden.className = 'govuk-visually-hidden'
  hidden.textContent = ` ${name}`
  element.append(hidden)
  return element
}

export class Search {
  constructor ({ api, store, deviceLabel, time, onCheckIn, onUndo, onAdmit, onWalkIn, returnFocusTo }) {
    this.api = api
    this.deviceLabel = deviceLabel
    this.store = store
    this.onCheckIn = onCheckIn
    this.onUndo = onUndo
    this.onAdmit = onAdmit
    this.time = time
    this.asked = 0 // searches started: only the latest one's results are shown
    this.timer = null
    this.onWalkIn = onWalkIn
    this.returnFocusTo = returnFocusTo
    $('search-form').addEventListener('submit', (event) => {
      event.preventDefault()
      clearTimeout(this.timer)
      this.search($('q').value.trim())
    })
    $('q').addEventListener('input', () => {
      clearTimeout(this.timer)
      this.timer = setTimeout(() => this.search($('q').value.trim(), { typing: true }), TYPING_MS)
    })
    const walkIn = $('walk-in-form')
    if (walkIn) {
      walkIn.addEventListener('submit', (event) => {
        event.preventDefault()
        this.walkIn(walkIn)
      })
    }
  }

  async search (query, { typing = false } = {}) {
    const results = $('search-results')
    const asked = ++this.asked
    if (query.length < 2) {
      results.textContent = typing && !query ? '' : 'Type at least 2 characters.'
      return
    }
    let matches = null
    if (this.api.online) {
      try {
        const answer = await this.api.get(`search?q=${encodeURIComponent(query)}`)
        if (answer.ok) matches = answer.data.matches
      } catch {
        // offline: search the list on this phone below
      }
    }
    if (this.api.lost) return
    if (matches === null) {
      const needle = query.toLowerCase()
      matches = (await this.store.allTickets())
        .filter((t) => t.n.toLowerCase().includes(needle))
        .slice(0, 20)
        .map((t) => ({ booking_id: t.b, name: t.n, organisation: '', ticket_type: t.t, status: t.s, h: t.h, checked_in_at: t.c, door: t.d, check_in_id: null, released_at_door: t.r || null }))
    }
    if (asked !== this.asked) return // a later search (more typing) has started
    this.render(query, matches)
    this.bringIntoView()
  }

  // On a phone the results come below the camera: scroll the search to the top of the screen
  // when its first result is not fully in view (the search box stays in sight, above them).
  bringIntoView () {
    const first = $('search-results').querySelector('tbody tr, p')
    if (!first) return
    const box = first.getBoundingClientRect()
    if (box.top < 0 || box.bottom > window.innerHeight) {
      $('search-heading').scrollIntoView({ block: 'start' })
    }
  }

  render (query, matches) {
    const results = $('search-results')
    results.replaceChildren()
    if (!matches.length) {
      const p = document.createElement('p')
      p.className = 'govuk-body'
      p.textContent = `No bookings match “${query}”.`
      results.append(p)
      return
    }
    const table = document.createElement('table')
    table.className = 'govuk-table'
    const caption = table.createCaption()
    caption.className = 'govuk-table__caption govuk-table__caption--s'
    caption.textContent = `Bookings matching “${query}”`
    const body = table.createTBody()
    body.className = 'govuk-table__body'
    for (const match of matches) {
      const row = body.insertRow()
      row.className = 'govuk-table__row'
      cell(row, match.organisation ? `${match.name}, ${match.organisation}` : match.name, 'th')
      cell(row, match.status === 'confirmed' || match.released_at_door ? match.ticket_type : `${match.ticket_type} (${match.status})`)
      this.showAction(cell(row, ''), match)
    }
    results.append(table)
  }

  // The row's action cell: what just happened (note), the check-in state, and a button.
  // Returns the button, if any.
  showAction (action, match, note = null) {
    action.replaceChildren()
    if (note) action.append(statusTag(note.text, note.colour), ' ')
    if (match.checked_in_at) {
      if (!note) action.append(statusTag(`In at ${match.door}`, 'amber'), ' ')
      if (!match.check_in_id) {
        // Checked in on this phone's list only: undo needs the server's check-in.
        if (!note) action.append('Undo needs a connection.')
        return null
      }
      const undo = button('Undo check-in', `of ${match.name}`, true)
      undo.addEventListener('click', () => this.undo(action, match, undo))
      action.append(undo)
      return undo
    }
    if (match.status === 'released' && match.released_at_door) {
      if (!note) action.append(statusTag(`Place released at the door at ${this.time(match.released_at_door)}`, 'amber'), ' ')
      const admit = button('Admit as walk-in', match.name)
      admit.addEventListener('click', () => this.admit(action, match, admit))
      action.append(admit)
      return admit
    }
    if (match.status !== 'confirmed') return null
    const checkIn = button('Check in', match.name)
    checkIn.addEventListener('click', () => this.checkIn(action, match, checkIn))
    action.append(checkIn)
    return checkIn
  }

  async checkIn (action, match, checkIn) {
    if (checkIn.getAttribute('aria-disabled') === 'true') return
    checkIn.setAttribute('aria-disabled', 'true') // not disabled: it keeps the focus meanwhile
    const done = await this.onCheckIn(match)
    if (!done) return // this page may no longer scan
    const { outcome, queued } = done
    if (outcome.colour === 'red') {
      match.status = outcome.result || 'refused' // no second try from this row
    } else {
      match.checked_in_at = outcome.checked_in_at || match.checked_in_at || new Date().toISOString()
      match.door = outcome.door || match.door
      match.check_in_id = outcome.check_in_id || null
    }
    const text = queued ? `${outcome.title} (saved on this phone)` : outcome.title
    const next = this.showAction(action, match, { text, colour: outcome.colour })
    this.returnFocusTo(next || $('q'))
  }

  async admit (action, match, admit) {
    if (admit.getAttribute('aria-disabled') === 'true') return
    admit.setAttribute('aria-disabled', 'true')
    const outcome = await this.onAdmit(match)
    if (!outcome) return // this page may no longer scan
    let next = null
    if (outcome.colour === 'green') {
      Object.assign(match, { booking_id: outcome.booking_id, status: 'confirmed', released_at_door: null, checked_in_at: outcome.checked_in_at, door: outcome.door, check_in_id: outcome.check_in_id })
      next = this.showAction(action, match, { text: 'Admitted as a walk-in', colour: 'green' })
    } else {
      match.released_at_door = null // no second try from this row
      next = this.showAction(action, match, { text: `Not admitted: ${outcome.detail}`, colour: 'red' })
    }
    this.returnFocusTo(next || $('q'))
  }

  async undo (action, match, undo) {
    if (undo.getAttribute('aria-disabled') === 'true') return
    undo.setAttribute('aria-disabled', 'true')
    const done = await this.onUndo(match)
    if (done.lost) return
    let next = null
    if (done.ok) {
      match.checked_in_at = match.door = match.check_in_id = null
      next = this.showAction(action, match, { text: 'Check-in undone', colour: 'amber' })
    } else {
      if (!done.retry) match.check_in_id = null // undone already, or not this event's
      next = this.showAction(action, match, { text: `Not undone: ${done.message}`, colour: 'red' })
    }
    this.returnFocusTo(next || $('q'))
  }

  async walkIn (form) {
    const error = $('walk-in-error')
    error.hidden = true
    const data = Object.fromEntries(new FormData(form))
    delete data.csrf_token
    data.ticket_type_id = Number(data.ticket_type_id)
    data.device_label = this.deviceLabel()
    let answer
    try {
      answer = await this.api.post('walk-ins', data)
    } catch {
      if (this.api.lost) return
      error.textContent = 'Error: walk-ins need a connection. Try again when back online.'
      error.hidden = false
      return
    }
    if (answer.ok) {
      form.reset()
      form.elements.scan_id.value = crypto.randomUUID ? crypto.randomUUID() : String(Date.now())
      this.onWalkIn(answer.data)
      return
    }
    const problem = answer.data?.error || {}
    const fields = Object.values(problem.fields || {}).flat()
    error.textContent = `Error: ${fields.length ? fields.join(' ') : problem.message || 'the walk-in could not be registered.'}`
    error.hidden = false
  }
}
