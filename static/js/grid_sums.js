// Application grid: sums per module, per budget year and in all, and what is left up to the ceiling,
// updated while typing. Amounts are German ("12.500,00") and added as integer cents; the server
// renders the same sums, so the page works without JavaScript.
(function () {
  function cents(text) {
    var cleaned = (text || "").replace(/[€\s\u00a0]/g, "");
    var match = /^(\d{1,3}(?:\.\d{3})*|\d+)(?:,(\d{1,2}))?$/.exec(cleaned);
    if (!match) { return 0; }
    return parseInt(match[1].replace(/\./g, ""), 10) * 100 + parseInt(((match[2] || "") + "00").slice(0, 2), 10);
  }
  function euro(value) {
    var sign = value < 0 ? "-" : "";
    var abs = Math.abs(value);
    var whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return sign + whole + "," + String(abs % 100 + 100).slice(1) + "\u00a0€";
  }
  function update(table) {
    var rows = {}, columns = {}, total = 0;
    var inputs = table.querySelectorAll("input[name^='lines.']");
    for (var i = 0; i < inputs.length; i++) {
      var parts = inputs[i].name.split(".");
      var value = cents(inputs[i].value);
      rows[parts[1]] = (rows[parts[1]] || 0) + value;
      columns[parts[2]] = (columns[parts[2]] || 0) + value;
      total += value;
    }
    table.querySelectorAll("[data-sum-row]").forEach(function (cell) { cell.textContent = euro(rows[cell.dataset.sumRow] || 0); });
    table.querySelectorAll("[data-sum-column]").forEach(function (cell) { cell.textContent = euro(columns[cell.dataset.sumColumn] || 0); });
    table.querySelector("[data-sum-total]").textContent = euro(total);
    var remaining = document.getElementById("grid-remaining");
    if (remaining && table.dataset.ceiling !== "") {
      var left = parseInt(table.dataset.ceiling, 10) - total;
      remaining.classList.toggle("warn", left < 0);
      remaining.textContent = (left >= 0 ? remaining.dataset.under : remaining.dataset.over).replace("{amount}", euro(Math.abs(left)));
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var table = document.querySelector("table.grid-sums");
    if (!table) { return; }
    table.addEventListener("input", function () { update(table); });
    // Once at start as well: what was typed before this deferred script ran (a slow page), or what the
    // browser restored on "Back", is summed too instead of waiting for the next keystroke.
    update(table);
  });
})();
