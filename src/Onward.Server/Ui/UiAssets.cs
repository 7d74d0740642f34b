namespace Onward.Server.Ui;

/// <summary>The UI's stylesheet and script, shipped inside Onward: nothing is fetched from elsewhere at run time.</summary>
public static class UiAssets
{
    public const string Css = """
        :root { color-scheme: light dark; --bg: #fff; --fg: #1b1f24; --muted: #59636e; --line: #d1d9e0; --card: #f6f8fa; --accent: #0b5cad;
          --ok: #1a7f37; --bad: #cf222e; --wait: #9a6700; --busy: #0b5cad; }
        @media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --card: #151b23; --accent: #58a6ff;
          --ok: #3fb950; --bad: #f85149; --wait: #d29922; --busy: #58a6ff; } }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
        header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
        header .brand { font-weight: 700; font-size: 1.1rem; color: var(--fg); text-decoration: none; }
        nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
        nav a { color: var(--accent); text-decoration: none; padding: .2rem .1rem; }
        nav a[aria-current="page"] { font-weight: 700; border-bottom: 2px solid var(--accent); }
        .who { margin-left: auto; display: flex; gap: .6rem; align-items: center; color: var(--muted); }
        main { padding: 1.2rem; max-width: 80rem; }
        a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { border: 1px solid var(--line); padding: .5rem .6rem; text-align: left; vertical-align: top; }
        th { background: var(--card); }
        .cell-version { font-family: ui-monospace, monospace; font-weight: 600; }
        .state { display: inline-flex; gap: .3rem; align-items: center; font-weight: 600; }
        .state-ok { color: var(--ok); } .state-bad { color: var(--bad); } .state-wait { color: var(--wait); } .state-busy { color: var(--busy); } .state-none { color: var(--muted); }
        .muted { color: var(--muted); }
        .frozen { color: var(--wait); font-weight: 600; }
        .warning { color: var(--wait); font-weight: 600; max-width: 40rem; font-size: .9em; }
        .notice { border: 1px solid var(--wait); border-left-width: .35rem; border-radius: .3rem; padding: .5rem .8rem; margin: 0 0 1rem; max-width: 60rem; }
        .notice-bad { border-color: var(--bad); }
        .notice ul { margin: .4rem 0 0; padding-left: 1.2rem; }
        button, .button { font: inherit; padding: .35rem .8rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--fg); cursor: pointer; }
        button.primary, a.button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        p:has(> button) { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
        caption { text-align: left; padding: 0 0 .4rem; }
        time { white-space: nowrap; }
        p.related { margin: -.4rem 0 .8rem; color: var(--muted); display: flex; flex-wrap: wrap; gap: .4rem; }
        label { display: block; font-weight: 600; margin: .6rem 0 .2rem; }
        select, input[type=password], input[type=text], textarea { font: inherit; width: min(32rem, 100%); padding: .4rem; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); }
        .error { color: var(--bad); font-weight: 600; }
        .live { font-size: .85rem; color: var(--muted); }
        pre.diagnosis { background: var(--card); border: 1px solid var(--line); padding: .8rem; overflow-x: auto; white-space: pre-wrap; }
        ol.timeline { padding-left: 1.2rem; } ol.timeline li { margin: .2rem 0; }
        .count { font-weight: 700; }
        pre.log { background: var(--card); border: 1px solid var(--line); padding: .8rem; max-height: 36rem; overflow: auto; white-space: pre-wrap; font-size: .85rem; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; } dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
        ol.pipeline { display: flex; gap: .8rem; list-style: none; padding: 0; flex-wrap: wrap; }
        ol.pipeline li.stage { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; width: 16rem; box-sizing: border-box; background: var(--card); }
        ol.pipeline li.stage select, ol.pipeline li.stage textarea { width: 100%; box-sizing: border-box; }
        ol.pipeline li.stage + li.stage::before { content: "→"; position: relative; left: -1.1rem; color: var(--muted); float: left; width: 0; }
        ol.pipeline h3 { margin: 0 0 .3rem; }
        .break-glass { border-left: 4px solid var(--bad); padding-left: .6rem; margin-top: .6rem; }
        .verdict-ok { color: var(--ok); } .verdict-blocked { color: var(--bad); } .verdict-frozen { color: var(--wait); } .verdict-current { font-weight: 600; } .verdict-failed { color: var(--bad); }
        .why { font-size: .85em; color: var(--muted); max-width: 22rem; font-weight: normal; }
        .filters { display: flex; gap: .6rem; align-items: end; flex-wrap: wrap; } .filters label { margin: 0; } .filters p { margin: 0; }
        .filters input[type=text], .filters select { width: auto; }
        details summary { cursor: pointer; color: var(--accent); margin-top: .4rem; }
        nav.tabs ul { display: flex; gap: .8rem; list-style: none; padding: 0; margin: 0 0 1rem; flex-wrap: wrap; }
        nav.tabs a { padding: .2rem .5rem; border: 1px solid var(--line); border-radius: 6px; text-decoration: none; color: var(--accent); }
        nav.tabs a[aria-current="page"] { background: var(--accent); color: #fff; border-color: var(--accent); }
        textarea.code { font-family: ui-monospace, monospace; font-size: .85rem; width: min(48rem, 100%); }
        svg .bar { fill: var(--muted); } svg .bar-control { fill: var(--accent); } svg .bar-significant { fill: var(--ok); } svg .chart-label { fill: var(--fg); font-size: 13px; }
        svg.canary-chart { border: 1px solid var(--muted); } svg .chart-canary { fill: none; stroke: var(--accent); stroke-width: 2; }
        svg .chart-baseline { fill: none; stroke: var(--muted); stroke-width: 2; stroke-dasharray: 4 3; } svg .chart-limit { stroke: var(--bad, #c00); stroke-width: 1; stroke-dasharray: 2 2; }
        svg .chart-fail { fill: var(--bad, #c00); } ol.canary-steps { display: flex; gap: 1rem; list-style: none; padding: 0; } ol.canary-steps .current { font-weight: bold; text-decoration: underline; }
        .charts { display: flex; flex-wrap: wrap; gap: 1.5rem; } .charts figure { margin: 0; } .charts figcaption { font-weight: 600; margin-bottom: .3rem; }
        ul.diff { margin: .2rem 0 .4rem; } del { color: var(--bad); } ins { color: var(--ok); text-decoration: none; }
        """;

    /// <summary>The browser tab's icon: an arrow pointing onward.</summary>
    public const string Icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b5cad"/><path d="M8 16h13M16 9l7 7-7 7" stroke="#fff" stroke-width="3.5" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>
        """;

    /// <summary>
    /// Live pages: the server's event stream says when something changed and the page fetches itself again and replaces
    /// its main content (no reload, focus kept outside it); times are shown relative, the absolute time on hover.
    /// </summary>
    public const string Script = """
        (function () {
          function relative(iso) {
            var seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
            if (isNaN(seconds)) return iso;
            if (seconds < -5) {
              var ahead = -seconds;
              if (ahead < 60) return 'in ' + ahead + ' s';
              if (ahead < 3600) return 'in ' + Math.round(ahead / 60) + ' min';
              if (ahead < 86400) return 'in ' + Math.round(ahead / 3600) + ' h';
              return 'in ' + Math.round(ahead / 86400) + ' d';
            }
            if (seconds < 5) return 'just now';
            if (seconds < 60) return seconds + ' s ago';
            if (seconds < 3600) return Math.round(seconds / 60) + ' min ago';
            if (seconds < 86400) return Math.round(seconds / 3600) + ' h ago';
            return Math.round(seconds / 86400) + ' d ago';
          }
          function times(root) {
            // Times are relative (absolute on hover), but for timelines, which show the absolute time (relative on hover).
            root.querySelectorAll('time[datetime]:not([data-absolute])').forEach(function (t) {
              t.textContent = relative(t.getAttribute('datetime'));
              if (!t.title) t.title = new Date(t.getAttribute('datetime')).toString();
            });
            root.querySelectorAll('time[datetime][data-absolute]').forEach(function (t) {
              t.title = relative(t.getAttribute('datetime')) + ' (' + new Date(t.getAttribute('datetime')).toString() + ')';
            });
          }
          times(document);
          setInterval(function () { times(document); }, 10000);
          var main = document.querySelector('main[data-live]');
          if (!main || !window.EventSource) return;
          var busy = false, again = false;
          function refresh() {
            if (busy) { again = true; return; }
            busy = true;
            var abort = new AbortController();
            var timer = setTimeout(function () { abort.abort(); }, 10000);
            fetch(location.href, { credentials: 'same-origin', headers: { 'X-Onward-Refresh': '1' }, signal: abort.signal })
              .then(function (r) { return r.ok ? r.text() : null; })
              .then(function (html) {
                if (!html) return;
                var page = new DOMParser().parseFromString(html, 'text/html');
                var next = page.querySelector('main[data-live]');
                // The navigation's count of approvals waiting moves with the page.
                var waiting = document.querySelector('[data-waiting]'), fresh = page.querySelector('[data-waiting]');
                if (waiting && fresh) { waiting.textContent = fresh.textContent; waiting.setAttribute('aria-label', fresh.getAttribute('aria-label')); }
                if (next && !main.contains(document.activeElement)) { keepLogs(next); keepFlash(next); main.innerHTML = ''; while (next.firstChild) main.appendChild(next.firstChild); times(main); }
                else if (next) { again = true; }
              })
              .catch(function () { })
              .finally(function () { clearTimeout(timer); busy = false; if (again) { again = false; setTimeout(refresh, 500); } });
          }
          // A build log streams into its element; a refresh of the page keeps the element that is streaming.
          function stream(pre) {
            var log = new EventSource(pre.getAttribute('data-log-stream'));
            log.onmessage = function (e) {
              var follow = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 20;
              pre.textContent += JSON.parse(e.data);
              if (follow) pre.scrollTop = pre.scrollHeight;
            };
            log.addEventListener('end', function () { log.close(); pre.removeAttribute('data-log-stream'); refresh(); });
            log.addEventListener('ended', function () { log.close(); });
          }
          function keepLogs(next) {
            next.querySelectorAll('pre[data-log-stream]').forEach(function (fresh) {
              var live = main.querySelector('pre[data-log-stream="' + fresh.getAttribute('data-log-stream') + '"]');
              if (live) fresh.replaceWith(live);
            });
          }
          // What an action answered ("Approved.") stays while the page refreshes itself, until the next page.
          function keepFlash(next) {
            var said = main.querySelector('[data-flash]:not([hidden])');
            var empty = next.querySelector('[data-flash][hidden]');
            if (said && empty) empty.replaceWith(said);
          }
          main.querySelectorAll('pre[data-log-stream]').forEach(stream);
          var source = new EventSource('/ui/events');
          source.onmessage = refresh;
          // The session ended (signed out elsewhere, token revoked): the page goes to the sign-in instead of going stale.
          source.addEventListener('ended', function () { source.close(); location.assign('/login'); });
          // Should an event be missed (a dropped stream, a sleeping laptop), the page still catches up.
          setInterval(refresh, 20000);
        })();
        """;
}
