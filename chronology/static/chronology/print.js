// The chronology's "Print this chronology" button: shown only where scripts run (without them the
// page says to use the browser's print command), and it opens the browser's print dialogue.
(function () {
  document.querySelectorAll('[data-app-print]').forEach(function (button) {
    button.hidden = false
    button.addEventListener('click', function () {
      window.print()
    })
  })
})()
