// Suggestions under the search boxes (the header's and the search page's): a few catalogue
// items and agencies matching what is being typed, from /search/suggest/. An ARIA 1.2
// combobox: arrows move through the list, Enter opens the chosen one, Escape closes it. The
// boxes work as plain forms without it (the site's Content-Security-Policy allows only files
// like this one, never inline code).
(function () {
  "use strict";

  var MIN_LENGTH = 2;
  var DELAY_MS = 200;
  var counter = 0;

  function suggestUrl(input) {
    if (input.dataset.suggestUrl) {
      return input.dataset.suggestUrl;
    }
    // The header's form posts to the results page; suggestions live just under it
    // (/search/suggest/, /en/search/suggest/).
    var action = input.form && input.form.getAttribute("action");
    return action ? new URL("suggest/", new URL(action, window.location.href)).href : null;
  }

  function enhance(input) {
    var url = suggestUrl(input);
    if (!url || input.dataset.suggestReady) {
      return;
    }
    input.dataset.suggestReady = "1";
    counter += 1;
    var listId = "search-suggestions-" + counter;
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "search-suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var active = -1;
    var latest = 0;

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlightOption(index) {
      var all = options();
      if (!all.length) {
        return;
      }
      active = (index + all.length) % all.length;
      Array.prototype.forEach.call(all, function (option, position) {
        option.setAttribute("aria-selected", position === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function show(suggestions) {
      list.textContent = "";
      suggestions.forEach(function (suggestion, position) {
        var option = document.createElement("li");
        option.id = listId + "-" + position;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.url = suggestion.url;
        option.textContent = suggestion.label;
        option.addEventListener("mousedown", function (event) {
          // Before the input loses focus and closes the list.
          event.preventDefault();
          window.location.assign(suggestion.url);
        });
        list.appendChild(option);
      });
      active = -1;
      if (suggestions.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }

    function fetchSuggestions() {
      var text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        close();
        return;
      }
      latest += 1;
      var asked = latest;
      var target = new URL(url);
      target.searchParams.set("q", text);
      fetch(target.href, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (body) {
          // A slower answer to an earlier keystroke must not replace a newer one.
          if (asked === latest) {
            show(body.suggestions || []);
          }
        })
        .catch(close);
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlightOption(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlightOption(active - 1);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.assign(options()[active].dataset.url);
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  function start() {
    Array.prototype.forEach.call(
      document.querySelectorAll("#site-search, #search-q"),
      enhance
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
