"""The side-by-side page: one self-contained HTML file (no script, no external link) per assignment.

The ranked pairs first; then each flagged pair with both sides' solution code next to each other, every shared
region in its own colour (the longest first), the release's template lines greyed. Everything a student typed
is escaped.
"""

from __future__ import annotations

from html import escape

from grader.similarity.compare import Match, Score
from grader.similarity.normalize import Document

COLOURS = ("#ffe08a", "#b5e3ff", "#c8f0b4", "#ffc7d9", "#e1d0ff", "#ffd6a8")
TOP_UNFLAGGED = 20

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table.pairs { border-collapse: collapse; margin: 1em 0; }
table.pairs td, table.pairs th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
table.pairs td.id { text-align: left; }
tr.flagged td { background: #fff3cd; }
section.pair { margin: 2em 0; border-top: 2px solid #999; }
div.sides { display: flex; gap: 1em; align-items: flex-start; }
div.side { flex: 1; min-width: 0; overflow-x: auto; border: 1px solid #ccc; }
div.side h3 { margin: 0; padding: 4px 8px; background: #eee; font-size: 14px; }
table.code { border-collapse: collapse; font: 12px/1.35 ui-monospace, monospace; width: 100%; }
table.code td { padding: 0 6px; white-space: pre; vertical-align: top; }
table.code td.n { color: #999; text-align: right; user-select: none; border-right: 1px solid #ddd; }
tr.t td.c { color: #aaa; }
tr.h td.c { color: #555; font-weight: bold; background: #f4f4f4; }
p.note { color: #555; }
"""


def _pct(value: float) -> str:
    return f"{value * 100:.0f} %"


def _row(rank: int, score: Score, match: Match | None, linked: bool) -> str:
    longest = match.longest if match else None
    span = f"{longest.tokens} tokens, {len(longest.lines_a)} / {len(longest.lines_b)} lines" if longest else ""
    link = f"<a href='#pair-{rank}'>{rank}</a>" if match and linked else str(rank)
    return (f"<tr class='{'flagged' if match else ''}'><td>{link}</td><td class='id'>{escape(score.a)}</td>"
            f"<td class='id'>{escape(score.b)}</td><td>{_pct(score.similarity)}</td><td>{_pct(score.share_a)}</td>"
            f"<td>{_pct(score.share_b)}</td><td>{score.shared}</td><td>{escape(span)}</td></tr>")


def _side(doc: Document, colours: dict[int, str], title: str) -> str:
    rows = []
    for number, line in enumerate(doc.text.splitlines(), start=1):
        css = "h" if line.startswith("# ── ") and number not in colours else "t" if number in doc.template else ""
        style = f" style='background:{colours[number]}'" if number in colours else ""
        mark = " data-match='1'" if number in colours else ""
        rows.append(f"<tr class='{css}'{mark}><td class='n'>{number}</td><td class='c'{style}>{escape(line)}</td>"
                    "</tr>")
    return f"<div class='side'><h3>{escape(title)}</h3><table class='code'>{''.join(rows)}</table></div>"


def _pair(rank: int, match: Match, a: Document, b: Document) -> str:
    colours_a: dict[int, str] = {}
    colours_b: dict[int, str] = {}
    for n, region in enumerate(match.regions):
        colour = COLOURS[n % len(COLOURS)]
        for line in region.lines_a:
            colours_a.setdefault(line, colour)
        for line in region.lines_b:
            colours_b.setdefault(line, colour)
    s = match.score
    longest = match.longest
    about = (f"similarity {_pct(s.similarity)}: {_pct(s.share_a)} of {escape(s.a)}'s code and {_pct(s.share_b)} "
             f"of {escape(s.b)}'s match; {len(match.regions)} shared regions"
             + (f", the longest {longest.tokens} tokens" if longest else ""))
    return (f"<section class='pair' id='pair-{rank}'><h2>{rank}. {escape(s.a)} ↔ {escape(s.b)}</h2>"
            f"<p>{about}</p><div class='sides'>{_side(a, colours_a, s.a)}{_side(b, colours_b, s.b)}</div>"
            "</section>")


def render_page(outcome, page_pairs: int = 200) -> str:  # type: ignore[no-untyped-def]  # run.Outcome
    p = outcome.params
    flagged = {(m.score.a, m.score.b): m for m in outcome.matches}
    shown = [s for s in outcome.scores if (s.a, s.b) in flagged]
    shown += [s for s in outcome.scores if (s.a, s.b) not in flagged][:TOP_UNFLAGGED]
    rows = "".join(_row(rank, s, flagged.get((s.a, s.b)), rank <= page_pairs) for rank, s in enumerate(shown, start=1))
    documents = {d.id: d for d in outcome.documents}
    sections = "".join(_pair(rank, flagged[(s.a, s.b)], documents[s.a], documents[s.b])
                       for rank, s in enumerate(shown[:page_pairs], start=1) if (s.a, s.b) in flagged)
    if len(flagged) > page_pairs:
        sections += (f"<p id='more'>{len(flagged) - page_pairs} more flagged pairs are in the table above and in "
                     f"{escape(outcome.assignment)}.json (Similarity.page_pairs shows {page_pairs} here).</p>")
    students = sum(1 for d in outcome.documents if d.kind == "student")
    summary = (f"{students} submissions, {len(outcome.documents) - students} other documents (archive, reference); "
               f"{len(outcome.matches)} pairs flagged at similarity ≥ {_pct(p.threshold)} "
               f"(Similarity.threshold), k = {p.kgram} tokens, window {p.window}.")
    none = "" if outcome.matches else "<p id='none-flagged'>No pair reaches the threshold.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Similarity: {escape(outcome.assignment)}</title>
<style>{STYLE}</style></head>
<body>
<h1>Similarity between submissions: {escape(outcome.assignment)}</h1>
<p>{escape(summary)}</p>
<p class="note">Only the code students wrote in solution cells counts (the release's template is greyed and
subtracted). Names, literals, comments, docstrings, prints and dead code are ignored, and functions may be in any
order. <b>Nothing is penalised automatically</b>: look at each pair and decide.</p>
{none}
<table class="pairs"><tr><th>#</th><th>student</th><th>with</th><th>similarity</th><th>share of first</th>
<th>share of second</th><th>fingerprints</th><th>longest shared span</th></tr>{rows}</table>
{sections}
</body></html>
"""
