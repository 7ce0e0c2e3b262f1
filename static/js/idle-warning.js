// The warning before the idle sign-out (templates/includes/idle_warning.html).
//
// The server ends a session SESSION_COOKIE_AGE seconds after its last request (every request
// restarts the clock), so this page starts with data-idle-seconds left. data-warning-seconds
// before the end the dialogue opens, focus on "Stay signed in"; that button (or Escape) posts to
// the keep-alive URL, which restarts the server's clock and says how long is left. A request the
// page makes itself (htmx: a draft saved as the user types) restarts the clock too, and so does
// activity in another tab of the service (shared through localStorage). When time is up the page
// goes to the sign-in page, which brings the user back here.
const dialog = document.getElementById('idle-warning')

if (dialog && typeof dialog.showModal === 'function') {
  const SHARED_KEY = 'mash:idle-expires-at'
  const total = Number(dialog.dataset.idleSeconds)
  const warning = Number(dialog.dataset.warningSeconds)
  const keepAlive = dialog.querySelector('form[data-idle-keep-alive]')
  const countdown = dialog.querySelector('[data-idle-countdown]')
  const spoken = dialog.querySelector('[data-idle-spoken]')
  let expiresAt = Date.now() + total * 1000
  let returnFocusTo = null
  let lastSpoken = ''
  let ended = false

  const span = (seconds) => {
    if (seconds > 60) return `${Math.ceil(seconds / 60)} minutes`
    if (seconds === 60) return '1 minute'
    return `${seconds} second${seconds === 1 ? '' : 's'}`
  }

  const share = () => {
    try {
      window.localStorage.setItem(SHARED_KEY, String(expiresAt))
    } catch (error) {
      // storage refused (private mode, quota): each tab keeps its own clock
    }
  }

  const restart = (seconds) => {
    expiresAt = Date.now() + seconds * 1000
    share()
    close()
    tick()
  }

  const secondsLeft = () => Math.max(0, Math.ceil((expiresAt - Date.now()) / 1000))

  const say = (left) => {
    const text = `You will be signed out in ${span(left)}.`
    countdown.textContent = span(left)
    // Screen readers hear the time now and then, not every second.
    if (text !== lastSpoken && (lastSpoken === '' || left % 20 === 0 || left <= 10 && left % 5 === 0)) {
      spoken.textContent = text
      lastSpoken = text
    }
  }

  const open = () => {
    if (dialog.open) return
    returnFocusTo = document.activeElement
    lastSpoken = ''
    say(secondsLeft())
    dialog.showModal()
    dialog.querySelector('[data-idle-stay]').focus()
  }

  function close () {
    if (!dialog.open) return
    dialog.close()
    if (returnFocusTo && typeof returnFocusTo.focus === 'function' && document.contains(returnFocusTo)) {
      returnFocusTo.focus()
    }
    returnFocusTo = null
  }

  const signedOut = () => {
    if (ended) return
    ended = true
    const here = window.location.pathname + window.location.search
    window.location.assign(`${dialog.dataset.signInUrl}?next=${encodeURIComponent(here)}`)
  }

  function tick () {
    if (ended) return
    const left = secondsLeft()
    if (left <= 0) {
      signedOut()
    } else if (left <= warning) {
      open()
      say(left)
    }
  }

  const stay = async () => {
    try {
      const response = await fetch(keepAlive.action, {
        method: 'POST',
        body: new FormData(keepAlive),
        headers: { Accept: 'application/json' },
        credentials: 'same-origin'
      })
      const body = response.ok ? await response.json() : null
      if (body && body.signed_in) {
        restart(Number(body.expires_in) || total)
        return
      }
    } catch (error) {
      // no answer: the clock is not known to have restarted
    }
    if (secondsLeft() <= 0) signedOut()
  }

  keepAlive.addEventListener('submit', (event) => {
    event.preventDefault()
    stay()
  })
  // Escape stays signed in (and closes the dialogue) rather than leaving it to run out.
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault()
    stay()
  })
  document.body.addEventListener('htmx:afterRequest', (event) => {
    const status = event.detail.xhr ? event.detail.xhr.status : 0
    if (status > 0 && status < 500) restart(total)
  })
  window.addEventListener('storage', (event) => {
    if (event.key === SHARED_KEY && Number(event.newValue) > expiresAt) {
      expiresAt = Number(event.newValue)
      close()
      tick()
    }
  })
  document.addEventListener('visibilitychange', tick)
  share()
  window.setInterval(tick, 1000)
}
