"""The corpus report (archive/report.py) as one self-contained HTML file that opens offline.

Plots are drawn by matplotlib as SVG and inlined (text kept as text, so a browser's fonts
draw every script and the numbers stay searchable); the XML prologue, metadata and namespace
declarations are dropped, as HTML's parser knows inline SVG without them. Styles are inline;
no script, font, image or link leaves the file. Every plotted count is also in a table.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape

from archive.report import CorpusReport

BAR = "#3b6ea5"
_PROLOGUE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<metadata>.*?</metadata>", re.S)
_XMLNS = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; color: #1d2730; max-width: 64rem; margin: 2rem auto;
       padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ccd; }
table { border-collapse: collapse; margin: .6rem 0; } td, th { padding: .2rem .7rem; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) { background: #f3f5f8; }
.flow { display: grid; grid-template-columns: 1fr; gap: .4rem; max-width: 36rem; }
.box { border: 2px solid #3b6ea5; border-radius: 6px; padding: .5rem .8rem; background: #f5f8fc; }
.box.out { border-color: #a55b3b; background: #fcf6f3; margin-left: 3rem; }
.arrow { text-align: center; color: #3b6ea5; } .box b { font-variant-numeric: tabular-nums; }
figure { margin: .5rem 0; } svg { max-width: 100%; height: auto; } .muted { color: #5d6b78; }
"""


def bar_chart(counts: Mapping[str, int], title: str, *, horizontal: bool = False) -> str:
    """An inline SVG bar chart of `counts` (label -> count), each bar labelled with its count."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels, values = list(counts), list(counts.values())
    height = max(2.4, 0.32 * len(labels) + 1.0) if horizontal else 2.8
    settings = {"svg.fonttype": "none", "svg.hashsalt": "coprod", "font.size": 9,
                "font.family": "sans-serif"}
    with rc_context(settings):
        figure = Figure(figsize=(6.4, height))
        axes = figure.subplots()
        if horizontal:
            bars = axes.barh(labels[::-1], values[::-1], color=BAR)
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        else:
            bars = axes.bar(labels, values, color=BAR)
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            if len(labels) > 8:
                axes.tick_params(axis="x", labelrotation=60)
        axes.bar_label(bars, padding=2)
        axes.margins(**({"x": 0.08} if horizontal else {"y": 0.12}))
        axes.spines[["top", "right"]].set_visible(False)
        stream = io.StringIO()
        figure.savefig(stream, format="svg", bbox_inches="tight", metadata={"Date": None})
    # the section heading names the plot (an axes title would collide with the bar labels)
    return f'<figure aria-label="{escape(title)}">{inline_svg(stream.getvalue())}</figure>'


def inline_svg(svg: str) -> str:
    """matplotlib's SVG document as an element for HTML: no prologue, metadata or namespaces."""
    return _XMLNS.sub("", _PROLOGUE.sub("", svg)).strip()


def count_table(counts: Mapping[str, int], key: str, heading: str, unit: str = "records") -> str:
    rows = "".join(
        f'<tr><td>{escape(label)}</td><td class="n" data-key="{escape(key)}:{escape(label)}">'
        f"{value}</td></tr>" for label, value in counts.items())
    return (f'<table><thead><tr><th>{escape(heading)}</th><th class="n">{escape(unit)}</th></tr>'
            f"</thead><tbody>{rows}</tbody></table>")


def flow_html(report: CorpusReport) -> str:
    flow = report.flow
    sources = "".join(f'<li>{escape(name)}: <b data-key="identified:{escape(name)}">{n}</b></li>'
                      for name, n in flow.identified.items())
    steps = [
        ("", "Records identified, all sources", "identified", flow.total_identified,
         f"<ul>{sources}</ul>"),
        (" out", "Duplicates removed (one work found by several sources)", "duplicates",
         flow.duplicates, ""),
        ("", "Works screened for co-production relevance", "screened", flow.screened, ""),
        (" out", f"Excluded: relevance below {report.threshold:g}", "excluded", flow.excluded, ""),
        ("", "Included", "included", flow.included,
         f'<div class="muted">of which <span data-key="flow:not_scored">{flow.not_scored}</span> '
         "never scored (one-off DOI fetches), kept</div>"),
    ]
    boxes = [f'<div class="box{kind}">{escape(text)}: <b data-key="flow:{key}">{value}</b>{extra}</div>'
             for kind, text, key, value, extra in steps]
    return '<div class="flow">' + '<div class="arrow">&darr;</div>'.join(boxes) + "</div>"


def _plain_table(rows: list[tuple[str, ...]], headings: tuple[str, ...]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: CorpusReport, *, title: str = "coprod corpus report",
                source: str = "", generated: datetime | None = None) -> str:
    """The whole report page; no URL of any kind appears in it."""
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    sections = [
        ("flow", "Flow (PRISMA-style)", flow_html(report)),
        ("years", "Records per year", _plot_and_table(report.by_year, "year", "Year")),
        ("sources", "Records per source",
         _plot_and_table(report.by_source, "source", "Source", horizontal=True)
         + '<p class="muted">A work found by several sources counts once for each.</p>'),
        ("languages", "Records per language", _plot_and_table(report.by_language, "language",
                                                               "Language")),
        ("types", "Records per type", count_table(report.by_type, "type", "Type")),
        ("archive", "The archive", count_table(report.archive, "archive", "In the catalog", "count")),
    ]
    if report.harvests:
        sections.append(("harvests", "Last complete harvest per source", _plain_table(
            report.harvests, ("source", "started", "finished"))))
    if report.failures:
        sections.append(("failures", "Failed fetches by kind",
                         count_table(report.failures, "failure", "Kind", "fetches")))
    body = "".join(f'<section id="{key}"><h2>{escape(heading)}</h2>{content}</section>'
                   for key, heading, content in sections)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f'<p class="muted">{report.records} records; relevance threshold {report.threshold:g}; '
        f"generated {when}{' from ' + escape(source) if source else ''}.</p>"
        f"{body}</body></html>\n"
    )


def _plot_and_table(counts: Mapping[str, int], key: str, heading: str, *,
                    horizontal: bool = False) -> str:
    if not counts:
        return '<p class="muted">No records.</p>'
    return bar_chart(counts, f"Records per {heading.lower()}", horizontal=horizontal) + \
        count_table(counts, key, heading)
