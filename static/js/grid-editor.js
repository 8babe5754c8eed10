// Grid editor: drag and drop on desktop; tap (or Enter/Space) to select a session, then tap a
// cell's "Place here" / "Swap here" button on phones, tablets and keyboards. Escape cancels.
// Every change is sent as JSON with the placement version the organiser saw; the server
// answers 409 with a message when someone else moved the session first, and the grid is
// reloaded so that the organiser sees what changed. Without JavaScript the Move forms work.

const root = document.querySelector('[data-editor]')
const status = document.querySelector('[data-editor-status]')
const csrf = document.querySelector('meta[name="csrf-token"]')?.content || ''
let selected = null
let busy = false

function say (message, isError = false) {
  status.textContent = message
  status.classList.toggle('lgcamp-editor__status--error', isError)
}

function cardOf (element) {
  return element?.closest('[data-session-id]')
}

function select (card) {
  clearSelection()
  selected = card
  card.classList.add('lgcamp-editor__card--selected')
  card.querySelector('[data-select]').setAttribute('aria-pressed', 'true')
  root.classList.add('lgcamp-editor--placing')
  for (const target of root.querySelectorAll('[data-target]')) {
    const cell = target.closest('[data-cell]')
    const own = cell && cell.dataset.occupantId === card.dataset.sessionId
    const offGrid = !cell && card.dataset.scheduled !== 'yes'
    target.hidden = own || offGrid
  }
  say(`Selected “${card.dataset.title}”. Now choose “Place here” in a cell, or press Escape to cancel.`)
}

function clearSelection () {
  if (selected) {
    selected.classList.remove('lgcamp-editor__card--selected')
    selected.querySelector('[data-select]')?.setAttribute('aria-pressed', 'false')
  }
  selected = null
  root.classList.remove('lgcamp-editor--placing')
  for (const target of root.querySelectorAll('[data-target]')) target.hidden = true
}

async function post (url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrf },
    credentials: 'same-origin',
    body: JSON.stringify(body)
  })
  let data = {}
  try { data = await response.json() } catch (error) { data = {} }
  return { ok: response.ok, data }
}

// Where focus is inside the editor, said in terms that survive a reload of its contents.
function focusKey () {
  const active = document.activeElement
  if (!active || !root.contains(active)) return null
  const card = cardOf(active)
  if (card && active.matches('[data-select]')) return { session: card.dataset.sessionId }
  const cell = active.closest('[data-cell]')
  if (cell) return { slot: cell.dataset.slotId, room: cell.dataset.roomId }
  return null
}

// Focus without moving the page when the element is already in sight (it usually is: it is
// where the organiser just acted); otherwise bring it into view, in its own scroller first.
function focusInPlace (element) {
  element.focus({ preventScroll: true })
  const box = element.getBoundingClientRect()
  const scroller = element.closest('[data-keep-scroll]')?.getBoundingClientRect()
  const outside = (area) => box.top < area.top || box.bottom > area.bottom || box.left < area.left || box.right > area.right
  const screen = { top: 0, left: 0, bottom: window.innerHeight, right: window.innerWidth }
  if (outside(screen) || (scroller && outside(scroller))) element.scrollIntoView({ block: 'nearest', inline: 'nearest' })
}

function focusSession (id) {
  const button = root.querySelector(`[data-session-id="${id}"] [data-select]`)
  if (button) focusInPlace(button)
  return Boolean(button)
}

function restoreFocus (key) {
  if (!key) return
  if (key.session && focusSession(key.session)) return
  const cell = root.querySelector(`[data-cell][data-slot-id="${key.slot}"][data-room-id="${key.room}"]`)
  const control = cell?.querySelector('[data-select], [data-target]:not([hidden])')
  if (control) focusInPlace(control)
}

async function refresh () {
  const response = await fetch(window.location.pathname, { headers: { Accept: 'text/html' }, cache: 'no-store' })
  if (!response.ok) return
  const doc = new DOMParser().parseFromString(await response.text(), 'text/html')
  const fresh = doc.querySelector('[data-editor]')
  if (!fresh) return
  // The grid and the list of unplaced sessions scroll on their own: keep them where they were,
  // so that placing one session after another never sends the organiser back to the start.
  const scrolled = {}
  for (const box of root.querySelectorAll('[data-keep-scroll]')) {
    scrolled[box.dataset.keepScroll] = [box.scrollLeft, box.scrollTop]
  }
  const focus = focusKey()
  root.replaceChildren(...fresh.childNodes)
  root.querySelector('[data-editor-status]')?.replaceWith(status)
  root.dataset.liveEtag = fresh.dataset.liveEtag
  for (const box of root.querySelectorAll('[data-keep-scroll]')) {
    const [left, top] = scrolled[box.dataset.keepScroll] || [0, 0]
    box.scrollLeft = left
    box.scrollTop = top
  }
  selected = null
  root.classList.remove('lgcamp-editor--placing')
  restoreFocus(focus)
}

async function act (card, destination) {
  if (busy || !card) return
  busy = true
  const id = card.dataset.sessionId
  const version = Number(card.dataset.version)
  let result
  try {
    if (destination.dataset.cell !== undefined) {
      const body = {
        room_id: Number(destination.dataset.roomId),
        slot_id: Number(destination.dataset.slotId),
        version,
        swap: Boolean(destination.dataset.occupantId)
      }
      if (destination.dataset.occupantVersion) body.swap_version = Number(destination.dataset.occupantVersion)
      result = await post(root.dataset.placeUrl.replace('/sessions/0/', `/sessions/${id}/`), body)
    } else {
      result = await post(root.dataset.unscheduleUrl.replace('/sessions/0/', `/sessions/${id}/`), { version })
    }
    await refresh()
    // Focus follows the session to where it now is (placed, swapped, or back in the list),
    // so a keyboard user carries on from there instead of from the top of the page.
    focusSession(id)
    if (result.ok) {
      const warnings = result.data.warnings || []
      say([result.data.message, ...warnings.map((w) => `Warning: ${w}`)].join(' '), warnings.length > 0)
    } else {
      say(result.data.error?.message || 'That did not work. The grid has been reloaded: try again.', true)
    }
  } catch (error) {
    say('Cannot reach the server. Nothing was changed: check the connection and try again.', true)
  } finally {
    busy = false
  }
}

function destinationOf (element) {
  return element?.closest('[data-cell]') || element?.closest('[data-unschedule-zone]')
}

if (root && status) {
  // Drop targets keep their space while hidden, so nothing moves under a finger on selection.
  root.classList.add('lgcamp-editor--js')
  root.addEventListener('click', (event) => {
    const selectButton = event.target.closest('[data-select]')
    if (selectButton) {
      const card = cardOf(selectButton)
      if (selected === card) {
        clearSelection()
        say('Selection cancelled.')
      } else {
        select(card)
      }
      return
    }
    const target = event.target.closest('[data-target]')
    if (target && selected) act(selected, destinationOf(target))
  })

  root.addEventListener('submit', async (event) => {
    const form = event.target.closest('[data-undo]')
    if (!form || busy) return
    event.preventDefault()
    busy = true
    try {
      const result = await post(form.action, {})
      await refresh()
      document.querySelector('#log-heading')?.focus()
      say(result.ok ? result.data.message : (result.data.error?.message || 'Could not undo.'), !result.ok)
    } finally {
      busy = false
    }
  })

  root.addEventListener('dragstart', (event) => {
    const card = cardOf(event.target)
    if (!card) return
    select(card)
    event.dataTransfer.setData('text/plain', card.dataset.sessionId)
    event.dataTransfer.effectAllowed = 'move'
  })
  root.addEventListener('dragover', (event) => {
    const destination = destinationOf(event.target)
    if (!destination || !selected) return
    event.preventDefault()
    event.dataTransfer.dropEffect = 'move'
  })
  root.addEventListener('dragenter', (event) => {
    destinationOf(event.target)?.classList.add('lgcamp-editor__cell--over')
  })
  root.addEventListener('dragleave', (event) => {
    destinationOf(event.target)?.classList.remove('lgcamp-editor__cell--over')
  })
  root.addEventListener('drop', (event) => {
    const destination = destinationOf(event.target)
    if (!destination || !selected) return
    event.preventDefault()
    destination.classList.remove('lgcamp-editor__cell--over')
    act(selected, destination)
  })
  root.addEventListener('dragend', () => {
    if (!busy) clearSelection()
  })
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && selected) {
      const button = selected.querySelector('[data-select]')
      clearSelection()
      say('Selection cancelled.')
      button?.focus()
    }
  })

  // Other organisers' changes: ask the grid's ETag every few seconds, reload the editor when it
  // changes (not while a session is selected, so a tap is never undone under a finger).
  const seconds = Number(root.dataset.pollSeconds) || 5
  setInterval(async () => {
    if (document.hidden || busy || selected) return
    try {
      const response = await fetch(root.dataset.pollUrl, {
        headers: { 'If-None-Match': root.dataset.liveEtag || '' },
        cache: 'no-store'
      })
      if (response.status === 200) {
        await refresh()
        say('The grid or the pitch queue was changed by someone else and has been reloaded.')
      }
    } catch (error) {
      // Offline for a moment: the next tick tries again.
    }
  }, seconds * 1000)
}
