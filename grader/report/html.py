"""The report as one self-contained HTML page: the grades table, "needs attention", three plots (embedded as
base64 PNG), the projects, and every student's breakdown. No script, no external file, no network."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from grader.project.store import ProjectRecord
from grader.report.cells import cell_shares, gpu_gaps
from grader.report.model import BLOCKING, KINDS, Report
from grader.report.plots import PLOTS
from grader.report.terminal import mark_cell
from grader.report.trace import trace, when

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:24px;color:#212121;font-size:14px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ccc}
.meta{color:#616161;margin-bottom:12px}
table{border-collapse:collapse;margin:6px 0} th,td{border:1px solid #d0d0d0;padding:3px 7px;text-align:right}
th{background:#eceff1} td.l,th.l{text-align:left} tr.att td:first-child{background:#fff2cc}
td.grade{font-weight:bold;background:#e3f2fd} .state{color:#c62828;font-size:12px}
.plots{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start} .plots figure{margin:0}
.plots img{max-width:100%;border:1px solid #e0e0e0;display:block}
ul.att li.block{color:#b71c1c} details{margin:4px 0} summary{cursor:pointer}
.bar{display:inline-block;height:10px;background:#64b5f6;vertical-align:middle}
.trace td{text-align:left;vertical-align:top} .trace td:first-child{white-space:nowrap;font-weight:bold}
"""


LOW_SHARE = 0.3  # cells fewer students pass are highlighted


def _e(value: object) -> str:
    return escape(str(value))


def _grades_table(report: Report) -> str:
    head = ["student", "name", *report.assignments, "H", report.weighted_h, "E", "bonus", "exact", "grade"]
    out = ["<table id='grades'><thead><tr>" + "".join(
        f"<th class='{'l' if h in ('student', 'name') else ''}'>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    flagged = {a.student for a in report.attention} | {s for a in report.attention for s in a.student.split(" + ")}
    for row in report.rows:
        cells = []
        for hw in report.assignments:
            outcome = report.outcomes[row.student][hw]
            text = mark_cell(outcome, row.marks[hw])
            title = f"p = {row.completions[hw]:.4f}; {outcome.shown_status}"
            mark, _, state = text.partition(" ")
            cells.append(f"<td title='{_e(title)}'>{_e(mark)}" +
                         (f" <span class='state'>{_e(state)}</span>" if state else "") + "</td>")
        cls = " class='att'" if row.student in flagged else ""
        defence = "pending" if "defence" in row.pending else f"{row.defence:g}"
        out.append(f"<tr{cls}><td class='l'><a href='#{_e(row.student)}'>{_e(row.student)}</a></td>"
                   f"<td class='l'>{_e(report.name(row.student))}</td>{''.join(cells)}"
                   f"<td>{row.homework_mean:.3f}</td><td>{row.homework_points:.3f}</td><td>{_e(defence)}</td>"
                   f"<td>{row.bonus_points:g}</td><td>{row.exact:.3f}</td><td class='grade'>{row.grade:g}</td></tr>")
    out.append("</tbody></table>")
    out.append("<p class='meta'>≥N: manual grading pending (the mark can only rise) · —: not submitted · "
               "a red word: the autograde status that needs a look · highlighted: the student has lines in "
               "“needs attention”</p>")
    return "\n".join(out)


def _attention(report: Report) -> str:
    if not report.attention:
        return "<p id='attention-none'>Nothing needs attention.</p>"
    out = []
    for kind, title in KINDS.items():
        lines = [a for a in report.attention if a.kind == kind]
        if not lines:
            continue
        cls = " class='block'" if kind in BLOCKING else ""
        out.append(f"<h3>{_e(title)} ({len(lines)})</h3><ul class='att'>" + "".join(
            f"<li{cls}><b>{_e(a.student)}</b> {_e(report.name(a.student))} — {_e(a.text)}</li>" for a in lines)
            + "</ul>")
    return "\n".join(out)


def _plots(report: Report) -> str:
    out = ["<div class='plots'>"]
    for title, plot in PLOTS.items():
        data = base64.b64encode(plot(report)).decode("ascii")
        out.append(f"<figure><img alt='{_e(title)}' src='data:image/png;base64,{data}'>"
                   f"<figcaption>{_e(title)}</figcaption></figure>")
    out.append("</div>")
    return "\n".join(out)


def _project_cells(p: ProjectRecord) -> list[object]:
    c = p.check
    if c is None:
        return [p.id, " + ".join(p.members), f"{p.repo} @ {p.commit[:10]}", *["-"] * 4, ", ".join(p.suggested) or "-",
                ", ".join(p.bonuses) or "-", "pending" if p.defence is None else f"{p.defence:g}", "not checked"]
    readme = ("missing" if not c.readme.present else "complete" if c.readme.complete
              else "lacks " + ", ".join(c.readme.missing + c.readme.thin))
    space = (", ".join(c.space.links) or "no link") + (" (Gradio)" if c.space.gradio else "")
    return [p.id, " + ".join(p.members), f"{p.repo} @ {p.commit[:10]}", readme,
            f"{len(c.datasets)}: " + ", ".join(str(d) for d in c.datasets), space,
            {True: "yes", False: "no", None: "?"}[c.invitation.invited], ", ".join(p.suggested) or "-",
            ", ".join(p.bonuses) or "-", "pending" if p.defence is None else f"{p.defence:g}",
            "; ".join(c.problems()) or "-"]


def _projects(report: Report) -> str:
    if not report.projects:
        return "<p>No project registered.</p>"
    head = ["#", "members", "repository", "README", "datasets", "Space", "invited", "suggested", "confirmed",
            "defence", "to look at"]
    out = ["<table id='projects'><tr>" + "".join(f"<th class='l'>{_e(h)}</th>" for h in head) + "</tr>"]
    for p in report.projects:
        out.append("<tr>" + "".join(f"<td class='l'>{_e(v)}</td>" for v in _project_cells(p)) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _breakdowns(report: Report) -> str:
    out = []
    for row in report.rows:
        lines = "".join(f"<tr><td>{_e(line.label)}</td><td>{_e(line.text)}</td></tr>"
                        for line in trace(report, row.student))
        out.append(f"<details id='{_e(row.student)}'><summary>{_e(row.student)} {_e(report.name(row.student))}: "
                   f"grade {row.grade:g} (exact {row.exact:.4f})</summary><table class='trace'>{lines}</table>"
                   "</details>")
    return "\n".join(out)


def _cell_shares(report: Report) -> str:
    shares = cell_shares(report)
    if not shares:
        return "<p id='cells-none'>No autograded cell graded yet.</p>"
    out = ["<table id='cells'><tr><th class='l'>assignment</th><th class='l'>test cell</th><th>points</th>"
           "<th>graded</th><th>passed</th><th class='l'>share passing</th></tr>"]
    for s in shares:
        cls = " class='att'" if s.share < LOW_SHARE else ""
        bar = f"<span class='bar' style='width:{round(120 * s.share)}px'></span>"
        out.append(f"<tr{cls}><td class='l'>{_e(s.assignment)}</td><td class='l'>{_e(s.cell)}</td>"
                   f"<td>{s.max_score:g}</td><td>{s.graded}</td><td>{s.passed}</td>"
                   f"<td class='l'>{bar} {s.share:.0%}</td></tr>")
    out.append("</table><p class='meta'>Full score on the cell counts as passing. Highlighted: under "
               f"{LOW_SHARE:.0%} pass — a broken test, or a hard task.</p>")
    for gap in gpu_gaps(report):
        out.append(f"<p class='meta gpu-gap'>{_e(gap.assignment)}: formgrader's maximum counts the GPU cell(s) "
                   f"{_e(', '.join(gap.cells))} ({gap.points:g} points); for the {gap.submissions} submission(s) "
                   "graded where no GPU was, the report leaves them out of the maximum (GpuPolicy.mode = 'skip'), "
                   f"so its maximum is {gap.points:g} lower there.</p>")
    return "\n".join(out)


def render_html(report: Report) -> str:
    rows = report.rows
    mean = sum(r.grade for r in rows) / len(rows) if rows else 0.0
    policy = report.policy
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(report.course_name)} — final grades</title>
<style>{CSS}</style></head><body>
<h1>{_e(report.course_name)}: final grades</h1>
<div class="meta">Generated {_e(when(report.generated_at, report.timezone))} · {len(rows)} students · mean grade
{mean:.2f} · final = min({policy.max_grade:g}, {policy.homework_weight:g}·H + {policy.project_weight:g}·E + bonuses),
rounded {_e(policy.rounding)} · {len(report.attention)} lines need attention</div>
<h2>Grades</h2>
{_grades_table(report)}
<h2>Needs attention</h2>
{_attention(report)}
<h2>Test cells: share of students passing</h2>
{_cell_shares(report)}
<h2>Plots</h2>
{_plots(report)}
<h2>Projects</h2>
{_projects(report)}
<h2>Per-student breakdown</h2>
{_breakdowns(report)}
</body></html>
"""


def write_html(report: Report, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path
