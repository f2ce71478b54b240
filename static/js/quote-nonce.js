// The quote's random number is made here, in the agency's own browser, never by the platform
// (docs/selection.md): 16 bytes from Web Crypto, written as 32 lowercase hex characters. It
// goes into the receipt, so the platform cannot choose a receipt of its liking. A copy of each
// number sent is kept in this browser's storage under the request number, with the time, so the
// agency can check its receipt against the opened quote.
(function () {
  "use strict";
  var field = document.querySelector("[data-quote-nonce]");
  if (!field || !window.crypto || !window.crypto.getRandomValues) {
    return;
  }
  if (!/^[0-9a-f]{32}$/.test(field.value)) {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    field.value = Array.prototype.map
      .call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); })
      .join("");
  }
  var form = field.form;
  var storageKey = "zjcs-quote-nonces:" + form.getAttribute("data-request");

  function kept() {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey) || "[]");
    } catch (error) {
      return [];  // storage switched off or damaged: nothing kept, nothing to show
    }
  }

  form.addEventListener("submit", function () {
    var copies = kept();
    copies.push({ nonce: field.value, at: new Date().toISOString() });
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(copies));
    } catch (error) {
      // Storage is off: the number is still shown on the page until it is reloaded.
    }
  });

  var list = document.querySelector("[data-kept-nonces]");
  var copies = kept();
  if (list && copies.length) {
    copies.forEach(function (copy) {
      var item = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = copy.nonce;
      item.appendChild(document.createTextNode(copy.at + " "));
      item.appendChild(code);
      list.appendChild(item);
    });
    list.closest("[hidden]").hidden = false;
  }
})();
