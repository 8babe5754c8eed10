// The door dashboard refreshes itself: it polls the stats JSON every 10 seconds and updates
// the numbers, the counts per door and ticket type, the arrivals chart (SVG drawn by the
// server, sent in the same answer) and table, and the recent scans with their Undo buttons.
// Without JavaScript the page shows the numbers as they were when it loaded, with a
// "Refresh now" link. The refresh is silent for screen readers (no live region, so nobody is
// interrupted every 10 seconds): the "Numbers as at" line says how fresh the page is.
const root = document.getElementById('door-dashboard')
const POLL_MS = 10000
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || ''
let drawnRecent = null // the recent scans as last drawn (JSON text), to redraw only on change

function text (id, value) {
  document.getElementById(id).textContent = String(value)
}

function element (tag, className, content = '') {
  const node = document.createElement(tag)
  node.className = className
  node.textContent = content
  return node
}

function row (cells, header = false) {
  const tr = document.createElement('tr')
  tr.className = 'govuk-table__row'
  cells.forEach((value, index) => {
    const isHeader = header && index === 0
    const cell = document.createElement(isHeader ? 'th' : 'td')
    cell.className = isHeader ? 'govuk-table__header' : 'govuk-table__cell'
    if (isHeader) cell.scope = 'row'
    if (value instanceof Node) cell.append(value)
    else cell.textContent = String(value)
    tr.append(cell)
  })
  return tr
}

// The same markup as templates/checkin/dashboard.html.
function result (scan) {
  const colour = scan.colour === 'grey' ? 'govuk-tag--grey' : `lgcamp-tag--${scan.colour}`
  const cell = document.createDocumentFragment()
  cell.append(element('strong', `govuk-tag ${colour}`, scan.result))
  if (scan.undone_time) {
    cell.append(' ', element('span', 'govuk-body-s', `at ${scan.undone_time} by ${scan.undone_by}`))
  }
  return cell
}

function undoForm (scan) {
  if (!scan.check_in_id) return ''
  const form = element('form', 'lgcamp-inline-form')
  form.method = 'post'
  form.action = root.dataset.undo.replace(/\/0\/undo$/, `/${scan.check_in_id}/undo`)
  form.dataset.name = scan.name
  const token = document.createElement('input')
  token.type = 'hidden'
  token.name = 'csrf_token'
  token.value = csrf
  const button = element('button', 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0', 'Undo')
  button.type = 'submit'
  button.append(element('span', 'govuk-visually-hidden', ` the check-in of ${scan.name}`))
  form.append(token, button)
  return form
}

function renderRecent (recent) {
  const body = document.getElementById('recent-scans')
  const drawn = JSON.stringify(recent)
  // Redraw only when something changed, and not while the keyboard focus is in the list: the
  // Undo button someone is on must not move or vanish under them (the next poll redraws).
  if (drawn === drawnRecent || body.contains(document.activeElement)) return
  const rows = recent.map((scan) => row([scan.time, scan.name, result(scan), scan.door, undoForm(scan)]))
  body.replaceChildren(...(rows.length ? rows : [row(['No scans yet.'])]))
  if (!rows.length) body.firstChild.firstChild.colSpan = 5
  drawnRecent = drawn
}

function render (stats) {
  text('stat-checked-in', stats.checked_in)
  text('stat-booked', stats.booked)
  text('stat-no-shows', stats.has_started ? stats.no_shows : '–')
  text('stat-walk-ins', stats.walk_ins)
  // Server-rendered (escaped by its templates): the same markup as on page load.
  document.getElementById('arrivals-chart').innerHTML = stats.arrivals_svg
  document.getElementById('door-breakdown').innerHTML = stats.breakdown_html
  const arrivals = stats.arrivals.map((slot) => {
    const tr = row([slot.label, slot.count], true)
    tr.lastChild.classList.add('govuk-table__cell--numeric')
    return tr
  })
  const table = document.getElementById('arrivals-table')
  table.replaceChildren(...(arrivals.length ? arrivals : [row(['No arrivals yet.'])]))
  if (!arrivals.length) table.firstChild.firstChild.colSpan = 2
  renderRecent(stats.recent)
  text('stats-updated', `Numbers as at ${stats.as_of}.`)
}

async function poll () {
  if (document.hidden) return // polled again when the page is shown
  try {
    const response = await fetch(root.dataset.stats, { headers: { Accept: 'application/json' }, cache: 'no-store' })
    if (response.ok) render(await response.json())
  } catch {
    // try again at the next tick
  }
}

function confirmUndo (event) {
  const name = event.target.dataset.name
  if (!window.confirm(`Undo the check-in of ${name}? Their ticket can then be scanned again.`)) {
    event.preventDefault()
  }
}

if (root) {
  document.getElementById('stats-polling').hidden = false
  document.getElementById('recent-scans').addEventListener('submit', confirmUndo)
  document.addEventListener('visibilitychange', poll)
  setInterval(poll, POLL_MS)
}
