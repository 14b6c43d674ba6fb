"""The viewer's own pages: search, a record with the provenance of each field, and the
frame around an archived page. Plain functions returning HTML strings; every value from
the archive goes through `html.escape`. No script anywhere: the viewer is links and forms.
Why by hand, not a template engine: four small pages, and no dependency to audit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any
from urllib.parse import quote

from archive.catalog import Capture
from archive.replay import StoredResponse, timestamp14, warc_time
from archive.replay_index import RecordRow
from archive.replay_rendered import DOM_SCHEME, SCREENSHOT_SCHEME, rendered_page_url

# The one style sheet (kept here, not as a data file, so every install has it).
STYLE = """\
/* coprod archive viewer: plain, readable, no external fonts or images. */
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; }
.banner { background: #243447; color: #f3f3f3; padding: .6em 1.2em; }
.banner a { color: #9fd3ff; }
.banner h1 { font-size: 1.3em; margin: .3em 0; }
.banner pre.headers { background: #101820; color: #d8e2ec; padding: .6em; overflow: auto; max-height: 18em; }
.banner code { overflow-wrap: anywhere; }
main { padding: .6em 1.2em; max-width: 72em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #ddd; padding: .3em .5em; }
td.source { font-family: ui-monospace, monospace; font-size: .85em; white-space: nowrap; color: #35506b; }
.meta, .status { color: #666; font-size: .9em; }
iframe#archived { display: block; width: 100%; height: 78vh; border: 0;
                  border-top: 3px solid #e0a100; background: #fff; }
figure.screenshot img { max-width: 100%; max-height: 40em; border: 1px solid #ccc; }
input[type=search] { width: 28em; max-width: 70%; font-size: 1em; padding: .2em .4em; }
"""

# Record fields in the order a reader expects them; the rest follow alphabetically.
FIELD_ORDER = (
    "type", "title", "authors", "published", "container", "volume", "issue", "pages", "doi",
    "identifiers", "publisher", "organisation", "abstract", "abstract_sections", "keywords",
    "language", "license", "open_access", "citation_count", "people", "funding", "references",
    "related", "relevance", "source_url",
)


def page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)} · coprod archive</title>"
        '<link rel=stylesheet href="/static/viewer.css"></head>'
        f"<body>{body}</body></html>\n"
    )


def view_url(capture: Capture) -> str:
    return f"/view/{timestamp14(capture.warc_date)}/{capture.uri}"


def raw_url(capture: Capture) -> str:
    return f"/raw/{timestamp14(capture.warc_date)}/{capture.uri}"


def record_url(row: RecordRow) -> str:
    return "/record/" + quote(row.key, safe="")


def when(capture: Capture) -> str:
    return warc_time(capture.warc_date).strftime("%Y-%m-%d %H:%M:%S UTC")


def search_page(query: str, rows: list[RecordRow], total: int) -> str:
    items = "".join(
        f'<li><a class=record href="{escape(record_url(row))}">{escape(row.title)}</a> '
        f'<span class=meta>{escape(_byline(row))}</span></li>'
        for row in rows
    )
    said = f"{len(rows)} of {total} records" + (f" matching “{escape(query)}”" if query else "")
    body = (
        "<header class=banner><h1>coprod archive</h1>"
        '<form method=get action="/" role=search>'
        f'<input type=search name=q value="{escape(query)}" placeholder="title, DOI, author or URL" '
        'aria-label="search records"> <button type=submit>Search</button></form></header>'
        f"<main><p class=count>{said}</p><ol class=results>{items}</ol></main>"
    )
    return page("search", body)


def _byline(row: RecordRow) -> str:
    data = row.data
    authors = [a.get("name", "") for a in data.get("authors", [])[:3]]
    parts = [", ".join(authors), str(row.year or ""), data.get("container") or "", row.doi or ""]
    return " · ".join(p for p in parts if p)


def record_page(row: RecordRow, captures: list[Capture], primary: Capture | None) -> str:
    data = row.data
    prov = data.get("provenance", {})
    sources = prov.get("fields", {})
    names = [n for n in FIELD_ORDER if n in data] + sorted(
        n for n in data if n not in FIELD_ORDER and n != "provenance")
    rows = "".join(
        f"<tr><th scope=row>{escape(name)}</th><td>{_value(data[name])}</td>"
        f'<td class=source>{escape(sources.get(name, "—"))}</td></tr>'
        for name in names
    )
    capture_items = "".join(
        f'<li><a class=capture href="{escape(view_url(c))}">{escape(when(c))}</a> '
        f"<span class=status>{escape(_kind(c))}</span> "
        f"<code>{escape(c.uri)}</code></li>"
        for c in captures
    )
    shots = "".join(_screenshot(c) for c in captures if c.uri.startswith(SCREENSHOT_SCHEME))
    archived = (f'<p><a id=archived-page href="{escape(view_url(primary))}">'
                "The archived page as it was captured</a></p>" if primary else "")
    facts = [("WARC file", prov.get("warc_file")), ("record id", prov.get("warc_record_id")),
             ("offset", prov.get("offset")), ("fetched at", prov.get("fetched_at")),
             ("extractor version", prov.get("extractor_version")),
             ("metadata record", f"{row.record_id} in {row.warc_file} at byte {row.offset}")]
    fact_rows = "".join(f"<tr><th scope=row>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                        for k, v in facts if v is not None)
    notes = "".join(f"<li>{escape(n)}</li>" for n in prov.get("notes", []))
    body = (
        '<header class=banner><p><a href="/">← search</a></p>'
        f"<h1>{escape(row.title)}</h1>{archived}</header><main>"
        "<h2>Fields and where each came from</h2>"
        "<table class=fields><thead><tr><th>field</th><th>value</th><th>source</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f"<h2>Provenance</h2><table class=provenance>{fact_rows}</table>"
        + (f"<h3>Notes</h3><ul>{notes}</ul>" if notes else "")
        + f"<h3>Captures it rests on</h3><ol class=captures>{capture_items}</ol>"
        + (f"<h3>As rendered in a browser</h3>{shots}" if shots else "") + "</main>"
    )
    return page(row.title, body)


def _kind(capture: Capture) -> str:
    """A capture's status, or what a resource is (a page's rendered DOM or screenshot)."""
    if capture.uri.startswith(DOM_SCHEME):
        return "rendered DOM"
    if capture.uri.startswith(SCREENSHOT_SCHEME):
        return "screenshot"
    return str(capture.status or capture.record_type)


def _screenshot(capture: Capture) -> str:
    """The archived screenshot, shown by the viewer (img-src 'self'), linking to its capture."""
    return (f'<figure class=screenshot><a href="{escape(view_url(capture))}">'
            f'<img src="{escape(raw_url(capture))}" alt="screenshot of '
            f'{escape(rendered_page_url(capture.uri) or capture.uri)}" loading=lazy></a>'
            f"<figcaption>{escape(when(capture))}</figcaption></figure>")


def _value(value: Any) -> str:
    if isinstance(value, str):
        return escape(value).replace("\n", "<br>")
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        items = "".join(f"<li>{escape(_summary(v))}</li>" for v in value[:200])
        more = f"<li>… {len(value) - 200} more</li>" if len(value) > 200 else ""
        return f"<ul>{items}{more}</ul>"
    if isinstance(value, list):
        return escape(", ".join(str(v) for v in value))
    if isinstance(value, dict):
        return escape(", ".join(f"{k}: {v}" for k, v in value.items()))
    return escape(json.dumps(value))


def _summary(item: dict[str, Any]) -> str:
    """One line for an author, person, section or reference."""
    head = item.get("name") or item.get("label") or item.get("text") or item.get("title") or ""
    rest = [str(v) for k, v in item.items()
            if v and k not in ("name", "label", "text", "title") and not isinstance(v, list)]
    extra = [", ".join(v) for v in item.values() if isinstance(v, list) and v]
    return " · ".join([str(head), *rest, *extra])


def frame_page(stored: StoredResponse, others: list[Capture], records: list[RecordRow],
               renders: Sequence[Capture] = ()) -> str:
    """The time banner, other captures (and the page's renders) and headers above the page
    in its sandbox."""
    capture = stored.capture
    other_items = "".join(
        f'<li><a class=other-capture href="{escape(view_url(c))}">{escape(when(c))}</a> '
        f"<span class=status>{escape(_kind(c))}</span>"
        + (" (shown)" if c.record_id == capture.record_id else "") + "</li>"
        for c in [*others, *renders]
    )
    record_links = "".join(f'<li><a href="{escape(record_url(r))}">{escape(r.title)}</a></li>'
                           for r in records)
    warc_head = "".join(f"{k}: {v}\n" for k, v in stored.warc_headers)
    http_head = stored.head.decode("latin-1")
    notes = "".join(f"<li>{escape(n)}</li>" for n in stored.notes)
    body = (
        '<header class=banner id=time-banner><p><a href="/">← search</a></p>'
        f'<p class=when>Archived <time datetime="{escape(capture.warc_date)}">'
        f"{escape(when(capture))}</time> · HTTP {escape(str(stored.status or '-'))} · "
        f"{escape(stored.content_type)} · <code>{escape(capture.warc_file)}</code> "
        f"at byte {capture.offset}</p>"
        f"<p class=url><code>{escape(capture.uri)}</code></p>"
        + (f"<ul class=notes>{notes}</ul>" if notes else "")
        + (f"<p>Records resting on this capture:</p><ul>{record_links}</ul>" if records else "")
        + f"<details><summary>Captures of this URL ({len(others) + len(renders)})</summary>"
        f"<ol class=others>{other_items}</ol></details>"
        "<details><summary>Headers</summary>"
        f"<pre class=headers>{escape(warc_head)}\n{escape(http_head)}</pre></details></header>"
        f'<iframe id=archived sandbox src="{escape(raw_url(capture))}" '
        'referrerpolicy=no-referrer title="archived page"></iframe>'
    )
    return page(f"archived {capture.uri}", body)


def message_page(title: str, text: str, url: str | None = None, *, home: bool = True) -> str:
    """A short page: an error, or (home=False, shown inside the sandbox) a missing capture."""
    shown = f"<p><code>{escape(url)}</code></p>" if url else ""
    back = '<p><a href="/">search</a></p>' if home else ""
    return page(title, f"<main class=message><h1>{escape(title)}</h1><p>{escape(text)}</p>"
                       f"{shown}{back}</main>")
