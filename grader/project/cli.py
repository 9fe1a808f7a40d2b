"""``grader project …``: check project repositories, enter defence marks, confirm bonuses. Thin: parse, call one
function of ``grader.project.grading``, format the answer."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from grader.course import open_course
from grader.errors import ProjectError
from grader.project.store import ProjectRecord, find_project, list_projects


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _yes(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "?"}[value]


def _summary(project: ProjectRecord) -> list[str]:
    check = project.check
    if check is None:
        return ["not checked", "", "", "", ""]
    if check.error:
        return [f"[red]failed[/red]: {check.error}", "", "", "", ""]
    readme = check.readme
    readme_text = ("missing" if not readme.present else "complete" if readme.complete
                   else "lacks " + ", ".join(readme.missing + readme.thin))
    space = ("no link" if not check.space.has_link else "Gradio" if check.space.gradio else "link, not Gradio")
    return [readme_text, str(len(check.datasets)), space, _yes(check.invitation.invited),
            ", ".join(check.suggested) or "-"]


def cmd_list(args: argparse.Namespace) -> int:
    from grader.project.grading import export_marks

    course = open_course(args.course)
    projects = list_projects(course)
    console = _console()
    if args.csv:
        console.print(f"{len(projects)} projects → {export_marks(course, Path(args.csv))} (fill in 'defence' and "
                      "the bonus columns, then: grader project import FILE.csv)")
        return 0
    table = Table(title=f"Final projects ({len(projects)})")
    for name in ("#", "members", "repository @ commit", "README", "datasets", "Space", "invited", "suggested",
                 "confirmed", "defence"):
        table.add_column(name)
    for p in projects:
        table.add_row(str(p.id), " + ".join(p.members), f"{p.repo} @ {p.commit[:10] or '-'}", *_summary(p),
                      ", ".join(p.bonuses) or "-", "pending" if p.defence is None else f"{p.defence:g}")
    console.print(table)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from grader.project.grading import check_project

    course = open_course(args.course)
    if args.all == bool(args.projects):
        raise ProjectError("name projects (grader project check 3 s01) or use --all")
    if args.from_dir and (args.all or len(args.projects) != 1):
        raise ProjectError("--from DIR checks one project: name exactly one")
    projects = list_projects(course) if args.all else [find_project(course, key) for key in args.projects]
    console = _console()
    for project in projects:
        check = check_project(course, project, folder=Path(args.from_dir) if args.from_dir else None)
        problems = check.problems()
        console.print(f"#{project.id} {project.repo} @ {project.commit[:12] or '-'}: "
                      + ("[green]meets every requirement[/green]" if not problems else "; ".join(problems)))
        console.print(f"    datasets ({len(check.datasets)}): {', '.join(str(d) for d in check.datasets) or '-'}")
        console.print(f"    Space: {', '.join(check.space.links) or '-'}"
                      f"{' (Gradio)' if check.space.gradio else ''}")
        for name, why in check.suggested.items():
            console.print(f"    suggested bonus [bold]{name}[/bold]: {why} — confirm with: grader project grade "
                          f"{project.id} --bonus {name}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    course = open_course(args.course)
    project = find_project(course, args.project)
    console = _console()
    console.print(f"[bold]#{project.id}[/bold] {project.repo_url} @ {project.commit or '-'}")
    console.print(f"members: {', '.join(project.members)}"
                  + (f" (not confirmed: {', '.join(project.unconfirmed_members)})"
                     if project.unconfirmed_members else ""))
    console.print(f"defence: {'pending' if project.defence is None else f'{project.defence:g}'}; "
                  f"confirmed bonuses: {', '.join(project.bonuses) or 'none'}")
    check = project.check
    if check is None:
        console.print(f"not checked yet: grader project check {project.id}")
        return 0
    console.print(f"checked {check.checked_at}" + (f": [red]{check.error}[/red]" if check.error else ""))
    console.print(f"README: {check.readme.path or 'none'}")
    for part, heading in check.readme.parts.items():
        thin = " (nearly empty)" if part in check.readme.thin else ""
        console.print(f"    {part}: {repr(heading) + thin if heading else '[red]missing[/red]'}")
    console.print(f"open datasets: {len(check.datasets)}")
    for ref in check.datasets:
        console.print(f"    {ref} ({ref.source}) — {', '.join(ref.found_in[:3])}")
    console.print(f"Space: {', '.join(check.space.links) or 'no link'}")
    for line in check.space.gradio_evidence:
        console.print(f"    {line}")
    console.print(f"instructor {check.invitation.login or '?'} invited: {_yes(check.invitation.invited)}"
                  + (f" ({check.invitation.note})" if check.invitation.note else ""))
    for name, why in check.suggested.items():
        console.print(f"suggested bonus {name}: {why}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from grader.project.grading import grade_project

    course = open_course(args.course)
    if args.defence is None and not (args.bonus or args.no_bonus or args.accept_suggested):
        raise ProjectError("nothing to record: give --defence MARK and/or --bonus NAME, --no-bonus NAME, "
                           "--accept-suggested")
    project = grade_project(course, args.project, defence=args.defence, confirm=args.bonus or (),
                            withdraw=args.no_bonus or (), accept_suggested=args.accept_suggested)
    unsuggested = sorted(set(project.bonuses) - set(project.suggested))
    console = _console()
    console.print(f"#{project.id} ({' + '.join(project.members)}): defence "
                  f"{'pending' if project.defence is None else f'{project.defence:g}'}, bonuses "
                  f"{', '.join(project.bonuses) or 'none'} — every member gets these marks")
    if unsuggested:
        console.print(f"note: {', '.join(unsuggested)} confirmed although the checks did not suggest it")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from grader.project.grading import import_marks

    records = import_marks(open_course(args.course), Path(args.file))
    _console().print(f"imported marks of {len(records)} projects from {args.file}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("project", help="final projects: check repositories, enter defence marks, confirm bonuses",
                       description="Final projects (one student or a pair; both get the project's marks). The "
                       "checks only suggest bonuses: the instructor confirms each and enters the defence mark.")
    psub = p.add_subparsers(dest="project_command", metavar="ACTION", parser_class=type(p))
    psub.required = True
    q = psub.add_parser("list", help="every project with its checks and marks",
                        description="Show every registered project: members, pinned commit, README, datasets, "
                        "Space, invitation, suggested and confirmed bonuses, defence mark.")
    q.add_argument("--csv", metavar="FILE", help="write them as a CSV to fill in and import back")
    q.set_defaults(func=cmd_list)
    q = psub.add_parser("check", help="check repositories at their pinned commit",
                        description="Fetch each project at its pinned commit and check: README parts, open "
                        "datasets, Hugging Face Space and Gradio, instructor invited. Results are stored and "
                        "shown by 'list', 'show' and the report.")
    q.add_argument("projects", nargs="*", metavar="PROJECT", help="project number or a member's student id")
    q.add_argument("--all", action="store_true", help="check every project")
    q.add_argument("--from", dest="from_dir", metavar="DIR", help="check a local copy instead of fetching")
    q.set_defaults(func=cmd_check)
    q = psub.add_parser("show", help="everything the checks found for one project",
                        description="README parts and their headings, each dataset and where it is used, the "
                        "Space and the Gradio evidence, the invitation, the suggested bonuses.")
    q.add_argument("project", metavar="PROJECT", help="project number or a member's student id")
    q.set_defaults(func=cmd_show)
    q = psub.add_parser("grade", help="enter the defence mark (0-8) and confirm bonuses",
                        description="Record the defence mark and confirm or withdraw bonuses; both partners of "
                        "a pair get them.")
    q.add_argument("project", metavar="PROJECT", help="project number or a member's student id")
    q.add_argument("--defence", type=float, metavar="MARK", help="defence mark, 0 to 8")
    q.add_argument("--bonus", action="append", metavar="NAME", help="confirm a bonus (open_datasets, "
                   "gradio_space); repeatable")
    q.add_argument("--no-bonus", action="append", metavar="NAME", help="withdraw a bonus; repeatable")
    q.add_argument("--accept-suggested", action="store_true", help="confirm every bonus the checks suggest")
    q.set_defaults(func=cmd_grade)
    q = psub.add_parser("import", help="defence marks and bonuses from a CSV",
                        description="Columns: 'project' (number) or 'student' (a member's id), 'defence' "
                        "(0-8), one yes/no column per bonus (open_datasets, gradio_space). Empty = unchanged. "
                        "All or nothing: a bad line stops the import and names the line.")
    q.add_argument("file", metavar="FILE.csv")
    q.set_defaults(func=cmd_import)
