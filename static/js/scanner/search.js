// Search and walk-ins on the scanner page, without leaving it. Online: the API; offline:
// names in the ticket list on this phone (check-ins from there are queued like scans).
const $ = (id) => document.getElementById(id)

function cell (row, text, tag = 'td') {
  const element = document.createElement(tag)
  element.className = tag === 'th' ? 'govuk-table__header' : 'govuk-table__cell'
  if (tag === 'th') element.scope = 'row'
  element.textContent = text
  row.append(element)
  return element
}

export class Search {
  constructor ({ api, store, onCheckIn, onWalkIn }) {
    this.api = api
    this.store = store
    this.onCheckIn = onCheckIn
    this.onWalkIn = onWalkIn
    $('search-form').addEventListener('submit', (event) => {
      event.preventDefault()
      this.search($('q').value.trim())
    })
    const walkIn = $('walk-in-form')
    if (walkIn) {
      walkIn.addEventListener('submit', (event) => {
        event.preventDefault()
        this.walkIn(walkIn)
      })
    }
  }

  async search (query) {
    const results = $('search-results')
    if (query.length < 2) {
      results.textContent = 'Type at least 2 characters.'
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
    if (matches === null) {
      const needle = query.toLowerCase()
      matches = (await this.store.allTickets())
        .filter((t) => t.n.toLowerCase().includes(needle))
        .slice(0, 20)
        .map((t) => ({ booking_id: t.b, name: t.n, organisation: '', ticket_type: t.t, status: t.s, h: t.h, checked_in_at: t.c, door: t.d }))
    }
    this.render(query, matches)
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
      cell(row, match.status === 'confirmed' ? match.ticket_type : `${match.ticket_type} (${match.status})`)
      const action = cell(row, '')
      if (match.checked_in_at) {
        action.textContent = `In at ${match.door}`
      } else if (match.status === 'confirmed') {
        const button = document.createElement('button')
        button.type = 'button'
        button.className = 'govuk-button govuk-!-margin-bottom-0'
        button.textContent = 'Check in'
        const hidden = document.createElement('span')
        hidden.className = 'govuk-visually-hidden'
        hidden.textContent = ` ${match.name}`
        button.append(hidden)
        button.addEventListener('click', async () => {
          button.disabled = true
          await this.onCheckIn(match)
          action.textContent = 'Checked in'
        })
        action.append(button)
      }
    }
    results.append(table)
  }

  async walkIn (form) {
    const error = $('walk-in-error')
    error.hidden = true
    const data = Object.fromEntries(new FormData(form))
    delete data.csrf_token
    data.ticket_type_id = Number(data.ticket_type_id)
    let answer
    try {
      answer = await this.api.post('walk-ins', data)
    } catch {
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
