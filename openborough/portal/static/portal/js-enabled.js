// Marks the page as scripted before it renders (GOV.UK Frontend styles depend on these classes).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
