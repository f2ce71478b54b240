// Rows for the purchase request's formsets (scoring factors, excluded agencies). The page
// works without this file: the server sends a few blank rows. With it, the owner adds rows
// as needed and removes one by emptying it, and the scoring factors show only while scored
// evaluation is the chosen method. A removed row is emptied and hidden rather than taken
// out, so the rows keep the numbers the server counts them by.
(function () {
  "use strict";

  function setUp(fieldset) {
    var total = fieldset.querySelector('input[name$="-TOTAL_FORMS"]');
    var most = fieldset.querySelector('input[name$="-MAX_NUM_FORMS"]');
    var template = fieldset.querySelector("template[data-formset-empty]");
    var add = fieldset.querySelector("[data-formset-add]");
    if (!total || !template || !add) {
      return;
    }
    var limit = most && /^\d+$/.test(most.value) ? parseInt(most.value, 10) : Infinity;

    function refresh() {
      add.hidden = parseInt(total.value, 10) >= limit;
    }

    function enableRemove(row) {
      var button = row.querySelector("[data-formset-remove]");
      if (!button) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        row.querySelectorAll("input, select, textarea").forEach(function (field) {
          field.value = "";
        });
        row.hidden = true;
        add.focus();
      });
    }

    fieldset.querySelectorAll("[data-formset-row]").forEach(enableRemove);
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.querySelector("[data-formset-row]");
      add.parentNode.parentNode.insertBefore(row, add.parentNode);
      total.value = String(index + 1);
      enableRemove(row);
      refresh();
      var first = row.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
    });
    refresh();
  }

  function followMethod(fieldset) {
    var method = fieldset.getAttribute("data-for-method");
    var radios = fieldset.form.querySelectorAll('input[name="selection_method"]');
    function show() {
      var chosen = fieldset.form.querySelector('input[name="selection_method"]:checked');
      fieldset.hidden = !chosen || chosen.value !== method;
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", show);
    });
    show();
  }

  document.querySelectorAll("fieldset[data-formset]").forEach(function (fieldset) {
    setUp(fieldset);
    if (fieldset.hasAttribute("data-for-method") && fieldset.form) {
      followMethod(fieldset);
    }
  });
})();
