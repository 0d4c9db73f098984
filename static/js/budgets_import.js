// Upload progress for the expense CSV import. Without JavaScript the form posts normally and the
// server renders the result; with it, the upload runs through XMLHttpRequest so that a progress bar
// can show the bytes sent, then the server's result page replaces this one. A large file is imported in the
// background: the server redirects to the job's page, which is then opened at its own address (it refreshes
// itself while the job runs).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.js-upload");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var bar = form.querySelector(".upload-progress");
    var status = form.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    bar.hidden = false;
    button.disabled = true;
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round(e.loaded * 100 / e.total);
        bar.value = percent;
        bar.textContent = percent + " %";
        status.textContent = percent < 100 ? "Hochladen: " + percent + " %" : "Hochgeladen – die Zeilen werden geprüft und gebucht …";
      }
    });
    request.addEventListener("load", function () {
      if (request.responseURL && request.responseURL.indexOf("/importauftraege/") !== -1) {
        window.location.assign(request.responseURL);
        return;
      }
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () {
      status.textContent = "Die Verbindung ist abgebrochen; bitte erneut versuchen.";
      button.disabled = false;
    });
    request.send(new FormData(form));
  });
});
