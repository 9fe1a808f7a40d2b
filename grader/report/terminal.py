"""The report on the terminal: the grades table (rich) and the "needs attention" list."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from grader.completion import HomeworkOutcome
from grader.report.model import KINDS, STATE_SHORT, Report


def mark_cell(outcome: HomeworkOutcome, mark: float) -> str:
    """A homework's mark as the terminal shows it: '8', '≥6' (manual grading pending), '—' (not submitted),
    '3 timeout' (an autograde status that needs a look)."""
    state = outcome.shown_status
    if state == "graded":
        return f"{mark:g}"
    if state == "pending":
        return f"≥{mark:g}"
    if state == "missing" and outcome.status == "missing":
        return "—"
    return f"{mark:g} {STATE_SHORT.get(state, state)}"


def render_table(report: Report, console: Console | None = None, attention_limit: int = 10) -> None:
    console = console or Console()
    table = Table(title=f"Final grades: {report.formula}", show_lines=False)
    table.add_column("student")
    table.add_column("name")
    for hw in report.assignments:
        table.add_column(hw, justify="right")
    for name in ("H", report.weighted_h, "E", "bonus", "exact", "grade"):
        table.add_column(name, justify="right")
    for row in report.rows:
        cells = [mark_cell(report.outcomes[row.student][hw], row.marks[hw]) for hw in report.assignments]
        marker = " *" if report.attention_for(row.student) else ""
        table.add_row(row.student + marker, report.name(row.student), *cells, f"{row.homework_mean:.3f}",
                      f"{row.homework_points:.3f}", "pending" if "defence" in row.pending else f"{row.defence:g}",
                      f"{row.bonus_points:g}", f"{row.exact:.3f}", f"[bold]{row.grade:g}[/bold]")
    console.print(table)
    console.print("≥N: manual grading pending (the mark can only rise); —: not submitted; *: needs attention")
    render_attention(report, console, attention_limit)


def render_attention(report: Report, console: Console, limit: int = 10) -> None:
    if not report.attention:
        console.print("[green]needs attention: nothing[/green]")
        return
    console.print(f"[bold yellow]needs attention ({len(report.attention)})[/bold yellow]")
    for kind, title in KINDS.items():
        lines = [a for a in report.attention if a.kind == kind]
        if not lines:
            continue
        console.print(f"  [bold]{title}[/bold] ({len(lines)})")
        for item in lines[:limit]:
            console.print(f"    {item.student}: {item.text}", highlight=False, markup=False)
        if len(lines) > limit:
            console.print(f"    … and {len(lines) - limit} more (every line is in the CSV, Excel and HTML files)")
