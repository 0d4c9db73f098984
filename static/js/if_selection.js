// Innovationsfonds selection form (CSP-safe: loaded as a file, no inline script): a running total of the
// ticked sketches against the call's budget while ticking, and switching the basis (funding line / best
// score) clears every tick and ticks the chosen proposal's sketches, so no tick of the other basis stays.
// The server checks the decision again; the page works without JavaScript (then without the total).
(function () {
  function euro(value) {
    var whole = String(Math.floor(Math.abs(value) / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (value < 0 ? "-" : "") + whole + "," + String(Math.abs(value) % 100 + 100).slice(1) + "\u00a0€";
  }
  function update(form, output) {
    var total = 0, count = 0;
    form.querySelectorAll("input[name='selected']:checked").forEach(function (box) {
      total += parseInt(box.dataset.cents, 10); count += 1;
    });
    var left = parseInt(output.dataset.budget, 10) - total;
    output.classList.toggle("warn", left < 0);
    output.textContent = output.dataset.text.replace("{count}", count).replace("{amount}", euro(total))
      .replace("{left}", euro(left));
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("decision-form");
    var output = document.getElementById("selection-total");
    if (!form || !output) { return; }
    form.addEventListener("change", function (event) {
      if (event.target.id === "f-basis") {
        var basis = event.target.value;
        form.querySelectorAll("input[name='selected']").forEach(function (box) {
          box.checked = (" " + box.dataset.proposals + " ").indexOf(" " + basis + " ") >= 0;
        });
        form.querySelectorAll("input[name='rejected']").forEach(function (box) { box.checked = false; });
      }
      update(form, output);
    });
    update(form, output);
  });
})();
