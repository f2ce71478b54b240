// Small enhancements for every page; each leaves a working page behind when scripts are off
// (the site's Content-Security-Policy allows only files like this one, never inline code).
(function () {
  "use strict";

  var each = function (list, callback) {
    Array.prototype.forEach.call(list, callback);
  };
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 40rem)") : null;

  // Each cell carries its column's heading in data-label, shown beside the value when the
  // table is laid out as cards (site.css, "stacked").
  function labelCells(table) {
    var headRow = table.tHead && table.tHead.rows[0];
    if (!headRow) {
      return false;
    }
    var labels = [];
    each(headRow.cells, function (cell) {
      for (var span = 0; span < cell.colSpan; span += 1) {
        labels.push(cell.textContent.replace(/\s+/g, " ").trim());
      }
    });
    each(table.tBodies, function (body) {
      each(body.rows, function (row) {
        var column = 0;
        each(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", labels[column] || "");
          }
          column += cell.colSpan;
        });
      });
    });
    // Cards are display: block, which takes a table's meaning away from screen readers; the
    // roles give it back.
    table.setAttribute("role", "table");
    each(table.querySelectorAll("tr"), function (row) {
      row.setAttribute("role", "row");
    });
    each(table.querySelectorAll("th"), function (cell) {
      var inHead = cell.parentNode.parentNode === table.tHead;
      cell.setAttribute("role", inHead ? "columnheader" : "rowheader");
    });
    each(table.querySelectorAll("td"), function (cell) {
      cell.setAttribute("role", "cell");
    });
    return true;
  }

  // Cards on a phone, and on any screen where the table would be wider than the page.
  function fit(table) {
    table.classList.remove("stacked");
    if (narrow && narrow.matches) {
      table.classList.add("stacked");
      return;
    }
    var parent = table.parentElement;
    var style = window.getComputedStyle(parent);
    var room = parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (table.offsetWidth > room + 1) {
      table.classList.add("stacked");
    }
  }

  // The main navigation is open in the markup; on a phone it folds into a "Menu" button, and
  // opens again when the window grows wide enough to show it in a row.
  function foldNavigation() {
    var menu = document.querySelector(".nav-menu");
    if (menu && narrow) {
      menu.open = !narrow.matches;
    }
  }

  function start() {
    var tables = [];
    each(document.querySelectorAll("main table"), function (table) {
      if (labelCells(table)) {
        tables.push(table);
      }
    });
    var layout = function () {
      tables.forEach(fit);
      foldNavigation();
    };
    layout();
    var pending = false;
    window.addEventListener("resize", function () {
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(function () {
          pending = false;
          tables.forEach(fit);
        });
      }
    });
    if (narrow && narrow.addEventListener) {
      narrow.addEventListener("change", foldNavigation);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
