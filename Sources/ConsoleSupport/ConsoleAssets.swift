/// The layout, stylesheet and script both consoles share. No build chain: plain text served as is.
enum ConsoleAssets {
    /// The page frame; pages fill `{{$content}}` through Mustache template inheritance.
    static let layout = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    {{#chrome}}
    {{#refreshSeconds}}<meta http-equiv="refresh" content="{{refreshSeconds}}">{{/refreshSeconds}}
    <title>{{title}} — {{product}}</title>
    <link rel="stylesheet" href="{{base}}/static/console.css">
    <script src="{{base}}/static/console.js" defer></script>
    {{/chrome}}
    </head>
    <body>
    {{#chrome}}
    <header class="top">
      <span class="brand">{{product}}</span>
      {{#user}}
      <form method="post" action="{{base}}/signout" class="signout">
        <span class="who">Signed in as {{user}}</span>
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Sign out</button>
      </form>
      {{/user}}
    </header>
    {{#hasTabs}}
    <nav aria-label="Console sections"><ul class="tabs">
    {{#tabs}}<li><a href="{{href}}"{{#current}} aria-current="page" class="current"{{/current}}>{{label}}</a></li>{{/tabs}}
    </ul></nav>
    {{/hasTabs}}
    {{/chrome}}
    <main id="main">
    {{#chrome}}
    <h1>{{title}}</h1>
    {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
    {{#error}}<p class="problem" role="alert">{{error}}</p>{{/error}}
    {{/chrome}}
    {{$content}}{{/content}}
    </main>
    </body>
    </html>
    """

    static let css = """
    :root { --ink: #1d2733; --muted: #5b6875; --line: #d5dbe1; --accent: #0b5cad; --bg: #f6f8fa; --ok: #1b7f3b; --bad: #b3261e; --hl: #fff6d6; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
    header.top { display: flex; justify-content: space-between; align-items: center; padding: .6rem 1.2rem; background: #14212e; color: #fff; }
    .brand { font-weight: 600; letter-spacing: .02em; }
    .signout { display: flex; gap: .6rem; align-items: center; margin: 0; }
    .signout button { background: transparent; color: #fff; border: 1px solid #6d7d8c; }
    nav ul.tabs { display: flex; gap: .2rem; margin: 0; padding: 0 1.2rem; list-style: none; background: #fff; border-bottom: 1px solid var(--line); }
    nav ul.tabs a { display: block; padding: .6rem .9rem; color: var(--muted); text-decoration: none; border-bottom: 3px solid transparent; }
    nav ul.tabs a.current { color: var(--ink); border-bottom-color: var(--accent); font-weight: 600; }
    main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
    h1 { font-size: 1.4rem; margin: .4rem 0 1rem; }
    h2 { font-size: 1.1rem; margin: 1.4rem 0 .6rem; }
    .notice { background: #e7f4ea; border: 1px solid #9fd1ac; padding: .5rem .8rem; border-radius: 4px; }
    .problem { background: #fdecea; border: 1px solid #f1a9a3; padding: .5rem .8rem; border-radius: 4px; }
    .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem; margin-bottom: 1rem; }
    form.stack label { display: block; font-weight: 600; margin: .7rem 0 .2rem; }
    input[type=text], input[type=password], input[type=url], input[type=date], input[type=number], textarea, select {
      font: inherit; padding: .4rem .5rem; border: 1px solid #aab4be; border-radius: 4px; width: 100%; max-width: 32rem; background: #fff; }
    textarea { min-height: 5rem; }
    button, .button { font: inherit; padding: .45rem .9rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
    button.secondary, .button.secondary { background: #fff; color: var(--accent); }
    button.danger { background: var(--bad); border-color: var(--bad); }
    .actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1rem; align-items: center; }
    table { border-collapse: collapse; width: 100%; background: #fff; }
    th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { font-size: .85rem; color: var(--muted); font-weight: 600; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    ul.checks { list-style: none; padding: 0; margin: 0; }
    ul.checks li { padding: .3rem .4rem; border-bottom: 1px solid #eef1f4; display: flex; gap: .5rem; align-items: center; }
    ul.checks li.highlighted { background: var(--hl); }
    .muted { color: var(--muted); font-size: .9rem; }
    .options { margin: .3rem 0 .6rem 2rem; padding: .6rem .8rem; border: 1px solid #e6d48a; background: var(--hl); border-radius: 4px; }
    .options legend { font-weight: 600; }
    .toggle { display: inline-flex; gap: .35rem; align-items: center; margin: .2rem 1rem .2rem 0; }
    .status { display: inline-block; padding: .1rem .5rem; border-radius: 999px; font-size: .85rem; background: #e8edf2; }
    .status.ok { background: #e1f3e6; color: var(--ok); }
    .status.bad { background: #fbe4e2; color: var(--bad); }
    .status.running { background: #e2ecf8; color: var(--accent); }
    progress { width: 14rem; }
    details > summary { cursor: pointer; font-weight: 600; margin: .4rem 0; }
    .filters { display: flex; gap: .4rem; margin-bottom: .8rem; flex-wrap: wrap; }
    .filters a { padding: .3rem .7rem; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; color: var(--ink); background: #fff; }
    .filters a.current { border-color: var(--accent); color: var(--accent); font-weight: 600; }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
    svg.chart { width: 100%; height: auto; background: #fff; }
    svg.chart text { font: 11px system-ui, sans-serif; fill: #5b6875; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
    dl.facts dt { color: var(--muted); }
    dl.facts dd { margin: 0; }
    .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    """

    /// Progressive enhancement only: every control also works as a plain form without it.
    static let script = """
    document.addEventListener('click', function (event) {
      var button = event.target.closest('[data-deselect]');
      if (!button) return;
      var group = document.getElementById(button.getAttribute('data-deselect'));
      if (!group) return;
      event.preventDefault();
      group.querySelectorAll('input[type=checkbox]').forEach(function (box) { box.checked = false; });
    });
    """
}
