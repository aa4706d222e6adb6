// The list's live updates (server-sent events from /live) and clickable
// rows. Rows arrive as HTML the server escaped; nothing here builds markup
// from message data.
'use strict';

(function () {
  var rows = document.getElementById('rows');
  var badge = document.getElementById('live');

  document.addEventListener('click', function (e) {
    var tr = e.target.closest('tr[data-href]');
    if (tr && !e.target.closest('a') && !String(window.getSelection())) {
      location.href = tr.dataset.href;
    }
  });

  if (!rows || !rows.dataset.live || !window.EventSource) {
    if (badge) {
      badge.textContent = 'not live';
    }
    return;
  }

  var limit = Number(rows.dataset.limit) || 1000;
  var source = new EventSource(rows.dataset.live);
  var broken = false;

  function show(state, text) {
    badge.className = 'live ' + state;
    badge.textContent = text;
  }

  source.addEventListener('open', function () {
    if (broken) {
      // Rows written while the stream was down are only on the server.
      location.reload();
      return;
    }
    show('on', 'live');
  });
  source.addEventListener('error', function () {
    broken = true;
    show('off', 'reconnecting…');
  });
  source.addEventListener('reload', function () {
    source.close();
    location.reload();
  });
  source.addEventListener('row', function (e) {
    var t = document.createElement('template');
    t.innerHTML = e.data.trim();
    var tr = t.content.firstElementChild;
    if (!tr || tr.tagName !== 'TR' || rows.querySelector('tr[data-href="' + CSS.escape(tr.dataset.href) + '"]')) {
      return;
    }
    // Newest first: before the first row that is older.
    var before = null;
    for (var r = rows.firstElementChild; r; r = r.nextElementSibling) {
      if (r.dataset.sort < tr.dataset.sort) {
        before = r;
        break;
      }
    }
    tr.classList.add('new');
    rows.insertBefore(tr, before);
    while (rows.children.length > limit) {
      rows.lastElementChild.remove();
    }
    document.getElementById('empty').hidden = true;
  });
})();
