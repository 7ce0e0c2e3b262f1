// Saving a form as a draft while the user types (htmx posts it: hx-post on a form marked
// data-autosave). Two things htmx does not do by itself:
// - show why a draft was not saved: the 400 (a field over its limit) and 409 (the enquiry is
//   closed) answers carry a line for the status area, and htmx leaves error answers unswapped;
//   a 404 (the request is no longer the user's to see) or a lost connection gets a line here;
// - never save after the form was sent: a save still waiting for its delay would otherwise
//   arrive after the return and bring back a draft of what was just sent.
(function () {
  'use strict'

  var NOT_SAVED = 'Your draft was not saved. '

  function autosaveForm (element) {
    return element && element.closest ? element.closest('form[data-autosave]') : null
  }

  function statusFor (form) {
    var id = form.getAttribute('hx-target')
    return id ? document.querySelector(id) : null
  }

  document.addEventListener('submit', function (event) {
    var form = autosaveForm(event.target)
    if (form) {
      form.setAttribute('data-submitting', '')
    }
  }, true)

  document.body.addEventListener('htmx:confirm', function (event) {
    var form = autosaveForm(event.target)
    if (form && form.hasAttribute('data-submitting')) {
      event.preventDefault() // the form is being sent: no more draft saves
    }
  })

  document.body.addEventListener('htmx:beforeSwap', function (event) {
    var form = autosaveForm(event.detail.elt)
    if (!form) {
      return
    }
    var status = event.detail.xhr.status
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true
      event.detail.isError = false
    } else if (status === 404) {
      event.detail.shouldSwap = false
      event.detail.isError = false
      var area = statusFor(form)
      if (area) {
        area.textContent = NOT_SAVED + 'This request is no longer yours to answer. Reload the page.'
      }
    }
  })

  document.body.addEventListener('htmx:sendError', function (event) {
    var form = autosaveForm(event.detail.elt)
    var area = form ? statusFor(form) : null
    if (area) {
      area.textContent = NOT_SAVED + 'The service could not be reached. Check your connection.'
    }
  })
})()
