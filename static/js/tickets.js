// Live "on sale in ..." countdowns. The server already rendered the text, so without this
// module the page still says when booking opens; with it, the text ticks down each second
// and the page reloads when booking opens (so the booking form appears).
const spans = document.querySelectorAll('[data-countdown-to]')

function words (seconds) {
  const days = Math.floor(seconds / 86400)
  const hours = Math.floor((seconds % 86400) / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  const secs = seconds % 60
  const plural = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'}`
  if (days) return `in ${plural(days, 'day')}, ${plural(hours, 'hour')}`
  if (hours) return `in ${plural(hours, 'hour')}, ${plural(minutes, 'minute')}`
  if (minutes) return `in ${plural(minutes, 'minute')}, ${plural(secs, 'second')}`
  return `in ${plural(secs, 'second')}`
}

function tick () {
  const now = Date.now()
  for (const span of spans) {
    const left = Math.round((Date.parse(span.dataset.countdownTo) - now) / 1000)
    if (left <= 0) {
      window.location.reload()
      return
    }
    span.textContent = words(left)
  }
  window.setTimeout(tick, 1000)
}

if (spans.length) tick()
