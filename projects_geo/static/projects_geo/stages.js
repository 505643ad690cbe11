/* The budget-stage panel without a page reload: recording, correcting or withdrawing a stage is
 * posted with fetch; the answer (the project page after the redirect, or the page with the
 * refusal) gives the new stage panel, the messages and the project's new version, which replace
 * those of this page — the map, the form and what was typed there stay as they are. Without
 * JavaScript the forms post and reload as before. */
(function () {
  'use strict';

  function swap(doc) {
    var fresh = doc.getElementById('stages'), here = document.getElementById('stages');
    if (!fresh || !here) return false;
    here.replaceWith(fresh);
    var msgs = doc.querySelector('ul.messages'), old = document.querySelector('ul.messages');
    if (old) old.remove();
    if (msgs) {
      var main = document.querySelector('main');
      main.parentNode.insertBefore(msgs, main);
    }
    // recording a stage moves the project's version on: the project form must send the new one
    var version = doc.getElementById('id_version');
    if (version) {
      Array.prototype.forEach.call(document.querySelectorAll('input[name=version]'), function (input) {
        if (!input.closest('#stages')) input.value = version.value;
      });
    }
    document.getElementById('stages').setAttribute('data-updated', String(Date.now()));
    return true;
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form || (form.id !== 'stage-form' && form.id !== 'stage-correct-form') || !window.fetch) return;
    event.preventDefault();
    var body = new FormData(form);
    if (event.submitter && event.submitter.name) body.append(event.submitter.name, event.submitter.value);
    var buttons = form.querySelectorAll('button');
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    fetch(form.getAttribute('action') || window.location.pathname + window.location.search, {
      method: 'POST', body: body, credentials: 'same-origin', headers: {'X-Requested-With': 'fetch'}
    }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, 'text/html');
      if (!swap(doc)) form.submit();  // not the project page (a 403 or 404 page): show it
    }).catch(function () {
      form.submit();  // the network failed: post the ordinary way
    });
  });
})();
