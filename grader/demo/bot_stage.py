"""The demo's Telegram stage: the real bot, on one machine, with no token.

The bot (the same Application ``grader bot run`` serves) talks to a local fake Telegram Bot API
(``grader.demo.fake_telegram``) and a local fake GitHub (``grader.demo.fake_github``), both real HTTP servers
on 127.0.0.1.
A student of the demo class registers with their one-time code, hands in a GitHub link the day before the
deadline, asks for their status (the grades autograding just produced), the instructor asks for statistics,
and the student is sent their result. Then what goes wrong at the seams: a link to a repository without the
homework's notebook is refused with its reason (the accepted submission stays active), and a second student's
accepted link whose repository is deleted before the instructor collects it is told at once, through the
outbox (``grader.outbox``), what happened and what to do. The conversation is printed as it happens.
"""

from __future__ import annotations

import asyncio
import csv
import shutil
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from rich.console import Console

from grader.bot.app import build_application, make_deps, serve
from grader.bot.config import bot_settings
from grader.bot.notify import notify_results
from grader.bot.texts import moment
from grader.collect.batch import collect_assignment
from grader.course import CourseFolder
from grader.demo.fake_github import FakeGitHub
from grader.demo.fake_telegram import FakeTelegram, FakeUser
from grader.github import GitHub, GitHubSettings

INSTRUCTOR = 424242


class _Bot:
    """The Application served in a background thread until ``stop()``."""

    def __init__(self, app: object) -> None:
        self.app = app
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop_event: asyncio.Event | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._main, name="demo-bot", daemon=True)

    def _main(self) -> None:
        async def main() -> None:
            self.loop, self.stop_event = asyncio.get_running_loop(), asyncio.Event()
            self.ready.set()
            await serve(self.app, self.stop_event)  # type: ignore[arg-type]

        asyncio.run(main())

    def __enter__(self) -> _Bot:
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.loop is not None and self.stop_event is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(timeout=30)


def _say(console: Console, user: FakeUser, text: str, *, date: datetime | None = None,
         tz: ZoneInfo | None = None) -> str:
    """Send ``text``, wait for the bot's answer to it, print both and whatever else the bot sent meanwhile (a
    message from the outbox); returns the answer."""
    when = f" [dim](sent {moment(date, tz or ZoneInfo('UTC'))})[/dim]" if date else ""
    console.print(f"[cyan]{user.first_name} →[/cyan] {text}{when}", highlight=False)
    message_id = user.server.message_of_update[user.send(text, date=date)]
    user.server.wait_for(lambda: any(s.reply_to == message_id for s in user.replies()), 30,
                         f"the answer to {text!r}")
    answer = ""
    for sent in user.replies()[user._seen:]:
        console.print(f"[green]bot →[/green] {sent.text}", highlight=False)
        answer = sent.text if sent.reply_to == message_id else answer
    user._seen = len(user.replies())
    return answer


def _told(console: Console, user: FakeUser) -> str:
    """Wait for a message the student did not ask for (the outbox), and print it."""
    sent = user.wait_reply(timeout=30)
    console.print(f"[green]bot → {user.first_name}[/green] {sent.text}", highlight=False)
    return sent.text


def bot_stage(course: CourseFolder, console: Console) -> None:
    """Run the conversation described in the module docstring against the demo course."""
    codes_file = course.gradebook_dir / "registration_codes.csv"
    if not codes_file.is_file() or shutil.which("git") is None:
        console.print("[yellow]no registration codes or no git: the Telegram stage is skipped[/yellow]")
        return
    with codes_file.open(encoding="utf-8-sig") as handle:
        codes = [(row["id"], row["code"]) for row in csv.DictReader(handle)]
    (student, code), second = codes[0], codes[1] if len(codes) > 1 else None
    assignment = course.settings.assignments[0]
    deadline = course.settings.deadlines.get(assignment)
    sent_at = deadline - timedelta(days=1) if deadline else datetime.now(UTC)
    with FakeTelegram() as telegram, FakeGitHub(course.root / ".demo-github-bot") as github_fake:
        settings = bot_settings(course.config)
        settings.api_base_url, settings.file_base_url = telegram.base_url, telegram.file_base_url
        settings.poll_timeout, settings.instructor_ids, settings.outbox_interval = 1, [INSTRUCTOR], 1.0
        gh_settings = GitHubSettings(config=course.config)
        gh_settings.api_url, gh_settings.clone_url = github_fake.api_url, github_fake.clone_url
        gh = GitHub(gh_settings, token=github_fake.token, cache_dir=course.root / ".cache" / "github-bot-demo")
        login = f"{student}-gh"
        notebooks = {p.name: p.read_bytes() for p in course.release(assignment).glob("*.ipynb")}
        github_fake.add_repo(f"{login}/dl-homeworks", {f"{assignment}/{k}": v for k, v in notebooks.items()}
                             or {"README.md": "homework"})
        deps = make_deps(course, settings, gh, hosts=gh_settings.hosts, instructor_login=github_fake.login)
        app = build_application(deps, telegram.token)
        console.print(f"the bot runs against a local fake Telegram ({telegram.base_url}…) and a local fake "
                      f"GitHub ({github_fake.api_url}); no token, nothing leaves this machine")
        try:
            with _Bot(app):
                anna = telegram.user(1001, student, "ru")
                teacher = telegram.user(INSTRUCTOR, "instructor", "en")
                _say(console, anna, f"/register {code} {login}")
                _say(console, anna, f"/submit {assignment} https://github.com/{login}/dl-homeworks", date=sent_at,
                     tz=course.settings.timezone)
                _say(console, anna, "/status")
                _say(console, teacher, "/stats")
                summary = notify_results(course, assignment, [student], token=telegram.token, settings=settings)
                for message in anna.replies()[anna._seen:]:
                    console.print(f"[green]bot → {student}[/green] "
                                  f"{'(file ' + message.document_name + ') ' if message.document_name else ''}"
                                  f"{message.text}", highlight=False)
                console.print(f"results of {assignment} sent through the bot to {len(summary.sent)} student(s)")
                _seams(course, console, github_fake, gh_settings, anna, login, assignment, sent_at,
                       telegram.user(1002, second[0], "ru") if second else None, second)
        finally:
            deps.close()
            gh.close()


def _seams(course: CourseFolder, console: Console, github_fake: FakeGitHub, gh_settings: GitHubSettings,
           anna: FakeUser, login: str, assignment: str, sent_at: datetime, boris: FakeUser | None,
           second: tuple[str, str] | None) -> None:
    """A refused link, and a failure after intake told at once (see the module docstring)."""
    tz = course.settings.timezone
    console.print("[bold]a link without the homework's notebook is refused; the accepted one stays[/bold]")
    github_fake.add_repo(f"{login}/lecture-notes", {"README.md": "my notes"})
    _say(console, anna, f"/submit {assignment} https://github.com/{login}/lecture-notes", date=sent_at, tz=tz)
    if boris is None or second is None:
        return
    console.print("[bold]a failure after intake is told at once[/bold]")
    boris_login = f"{second[0]}-gh"
    notebooks = {p.name: p.read_bytes() for p in course.release(assignment).glob("*.ipynb")}
    github_fake.add_repo(f"{boris_login}/dl", notebooks)
    _say(console, boris, f"/register {second[1]} {boris_login}")
    _say(console, boris, f"/submit {assignment} https://github.com/{boris_login}/dl", date=sent_at, tz=tz)
    github_fake.delete_repo(f"{boris_login}/dl")
    console.print(f"[dim]{boris_login}/dl is deleted; the instructor runs 'grader collect {assignment}'[/dim]")
    fresh = GitHub(gh_settings, token=github_fake.token, cache_dir=course.root / ".cache" / "github-collect-demo")
    summary = collect_assignment(course, assignment, github=fresh, students=[second[0]])
    for outcome in summary.outcomes:
        console.print(f"  [red]{outcome.student}/{assignment}[/red] {outcome.status} ({outcome.kind})")
    _told(console, boris)
