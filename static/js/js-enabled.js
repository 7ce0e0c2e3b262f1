// Marks the body so GOV.UK Frontend's JavaScript-only styles apply (kept out of the page: no inline scripts).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
