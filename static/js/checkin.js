// The door dashboard refreshes itself: it polls the stats JSON every 10 seconds and updates
// the numbers, the arrivals chart and table, and the recent scans. Without JavaScript the
// page shows the numbers as they were when it loaded, with a "Refresh now" link.
const root = document.getElementById('door-dashboard')
const POLL_MS = 10000

function text (id, value) {
  document.getElementById(id).textContent = String(value)
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

function render (stats) {
  text('stat-checked-in', stats.checked_in)
  text('stat-booked', stats.booked)
  text('stat-no-shows', stats.has_started ? stats.no_shows : '–')
  const chart = document.getElementById('arrivals-chart')
  chart.replaceChildren(...stats.arrivals.map((slot) => {
    const bar = document.createElement('span')
    bar.className = `lgcamp-chart__bar lgcamp-chart__bar--h${slot.step}`
    bar.title = `${slot.label}: ${slot.count}`
    return bar
  }))
  const arrivals = stats.arrivals.map((slot) => {
    const tr = row([slot.label, slot.count], true)
    tr.lastChild.classList.add('govuk-table__cell--numeric')
    return tr
  })
  document.getElementById('arrivals-table').replaceChildren(
    ...(arrivals.length ? arrivals : [row(['No arrivals yet.'])]))
  const recent = stats.recent.map((scan) => {
    const tag = document.createElement('strong')
    tag.className = `govuk-tag lgcamp-tag--${scan.colour}`
    tag.textContent = scan.result
    return row([scan.time, scan.name, tag, scan.door])
  })
  document.getElementById('recent-scans').replaceChildren(...(recent.length ? recent : [row(['No scans yet.'])]))
  text('stats-updated', `Updated at ${new Date().toLocaleTimeString('en-GB')}. Updates every 10 seconds.`)
}

async function poll () {
  try {
    const response = await fetch(root.dataset.stats, { headers: { Accept: 'application/json' }, cache: 'no-store' })
    if (response.ok) render(await response.json())
  } catch {
    // try again at the next tick
  }
}

if (root) setInterval(poll, POLL_MS)
