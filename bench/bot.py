"""Benchmark the Telegram bot: 1,000 ``/submit`` updates from 300 students delivered in one burst.

``grader bot run`` runs as its own process (as deployed) against the local fake Telegram Bot API and the fake
GitHub (50 ms added to every GitHub request). Measures updates per second, the time from an update being
available to Telegram's getUpdates until its answer arrives (p50/p99/max), and checks that every answered
update was stored exactly once. Writes its section of bench/RESULTS.md unless --no-write. Usage:

    .venv/bin/python bench/bot.py [--students 300] [--updates 1000] [--latency 0.05] [--rate N] [--no-write]
    .venv/bin/python bench/bot.py --floor   # the same burst answered by a python-telegram-bot echo bot

``--floor`` measures what no bot built on python-telegram-bot can beat on this machine: a minimal ``Application``
(its own long polling, one handler that only answers "ok") under the same burst, from the same fake server.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from fakes.github_api import TOKEN as GITHUB_TOKEN  # noqa: E402
from fakes.github_api import FakeGitHub, notebook  # noqa: E402
from fakes.telegram_api import FakeTelegram, timings  # noqa: E402
from results import write_section  # noqa: E402
from sqlalchemy import select  # noqa: E402

from grader.bot.service import register  # noqa: E402
from grader.course import CourseFolder, open_course  # noqa: E402
from grader.roster import import_roster, issue_codes  # noqa: E402
from grader.store.db import session_scope  # noqa: E402
from grader.store.models import Submission  # noqa: E402

TINY = REPO / "tests" / "files" / "tiny"


def make_course(root: Path, tg: FakeTelegram, gh: FakeGitHub, students: int) -> tuple[CourseFolder, list[str]]:
    shutil.copytree(TINY, root)
    deadline = (datetime.now(UTC) + timedelta(days=7)).isoformat(timespec="seconds")
    with (root / "nbgrader_config.py").open("a", encoding="utf-8") as handle:
        handle.write(f"""
c.Deadlines.deadlines = {{"tiny": {deadline!r}}}
c.BotSettings.api_base_url = {tg.base_url!r}
c.BotSettings.file_base_url = {tg.file_base_url!r}
c.BotSettings.poll_timeout = 2
c.GitHubSettings.api_url = {gh.api_url!r}
c.GitHubSettings.clone_url = {gh.clone_url!r}
""")
    course = open_course(root)
    ids = [f"s{i:03d}" for i in range(1, students + 1)]
    (root / "roster.csv").write_text("id\n" + "\n".join(ids) + "\n", encoding="utf-8")
    import_roster(course, root / "roster.csv")
    issue_codes(course, root / "codes.csv")
    import csv

    with (root / "codes.csv").open(encoding="utf-8-sig") as handle:
        codes = {row["id"]: row["code"] for row in csv.DictReader(handle)}
    for index, student in enumerate(ids):
        register(course, 10_000 + index, codes[student], f"{student}-gh", "ru")
        gh.add_repo(f"{student}-gh/dl", {"tiny.ipynb": notebook(["answer"])})
    return course, ids


def freeze_fake_git() -> None:
    """The fake GitHub answers from real git repositories with a git subprocess per answer (several ms of CPU
    each, on the same cores as the bot). Nothing is pushed during the burst, so its answers are memoized: the
    benchmark then measures the bot and the 50 ms of GitHub latency, not the fake's process spawning."""
    from grader.demo import fake_git

    for name in ("head", "commit_date", "size_kb"):
        setattr(fake_git, name, functools.lru_cache(maxsize=None)(getattr(fake_git, name)))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run(students: int, updates: int, latency: float, rate: float | None = None) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="bench-bot-"))
    try:
        with FakeTelegram() as tg, FakeGitHub(work / "github") as gh:
            print(f"setting up {students} students, their repositories and registrations ...", flush=True)
            course, ids = make_course(work / "course", tg, gh, students)
            users = [tg.user(10_000 + i, s) for i, s in enumerate(ids)]
            gh.latency = latency
            freeze_fake_git()
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": tg.token, "GITHUB_TOKEN": GITHUB_TOKEN,
                   "PYTHONPATH": str(REPO)}
            log = (work / "bot.log").open("wb")
            bot = subprocess.Popen([sys.executable, "-m", "grader.cli", "--course", str(course.root), "bot", "run"],
                                   stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
            try:
                tg.wait_for(lambda: any(m == "getUpdates" for m, _ in tg.calls), 60, "the bot to start polling")
                burst = [(users[k % students], f"/submit tiny https://github.com/{ids[k % students]}-gh/dl")
                         for k in range(updates)]
                gh.reset_counts()
                print(f"{'burst' if rate is None else f'{rate:g}/s'}: {updates} /submit updates from {students} "
                      "students", flush=True)
                cpu_before = _cpu_seconds(bot.pid)
                fakes_before = time.process_time()
                started = time.monotonic()
                if rate is None:
                    update_ids = tg.enqueue_many(burst)
                else:  # paced arrivals
                    update_ids = []
                    for index, (user, text) in enumerate(burst):
                        time.sleep(max(0.0, started + index / rate - time.monotonic()))
                        update_ids.append(user.send(text))
                messages = {tg.message_of_update[u] for u in update_ids}
                try:
                    tg.wait_for(lambda: messages <= {s.reply_to for s in tg.sent}, 300, "every answer")
                except TimeoutError as exc:
                    print(f"warning: {exc}", flush=True)
                result = timings(tg, update_ids)
                cpu = _cpu_seconds(bot.pid)
                fakes_cpu = time.process_time() - fakes_before
                finished = max((s.at for s in tg.sent if s.reply_to in messages), default=started)
                github_requests = gh.count()
            finally:
                bot.send_signal(signal.SIGTERM)
                bot.wait(timeout=60)
                log.close()
            answered = {s.reply_to for s in tg.sent if s.reply_to in messages}
            accepted = sum(1 for s in tg.sent if s.reply_to in messages and s.text.startswith("Принято"))
            keys = {f"tg:{u}" for u in update_ids}
            with session_scope(course.database_url) as session:
                stored_keys = [r.source_key for r in session.scalars(select(Submission)) if r.source_key in keys]
                active = [(r.student_id, r.assignment) for r in session.scalars(
                    select(Submission).where(Submission.active.is_(True)))]
            latencies = result.latencies
            return {
                "mode": "in one burst" if rate is None else f"arriving at {rate:g} per second",
                "updates": updates, "students": students, "latency_ms": latency * 1000,
                "answered": len(answered), "accepted": accepted, "stored": len(stored_keys),
                "stored_twice": len(stored_keys) - len(set(stored_keys)), "lost": len(result.unanswered),
                "one_active_each": len(active) == len(set(active)) == students,
                "wall": finished - started, "rate": len(answered) / max(1e-9, finished - started),
                "p50": statistics.median(latencies) if latencies else float("nan"),
                "p99": percentile(latencies, 0.99) if latencies else float("nan"),
                "max": max(latencies) if latencies else float("nan"),
                "github_per_submit": github_requests / max(1, updates),
                "bot_cpu": cpu - cpu_before, "fakes_cpu": fakes_cpu,
            }
    finally:
        shutil.rmtree(work, ignore_errors=True)


ECHO_BOT = """
import sys
from telegram.ext import ApplicationBuilder, MessageHandler, filters

async def echo(update, context):
    await update.message.reply_text("ok", do_quote=True)

app = (ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2]).concurrent_updates(int(sys.argv[3]))
       .connection_pool_size(int(sys.argv[3])).build())
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0, timeout=2)
"""


def run_floor(students: int, updates: int, concurrency: int = 8) -> dict[str, object]:
    """The same burst, answered by a python-telegram-bot ``Application`` that does nothing but answer."""
    with FakeTelegram() as tg:
        users = [tg.user(10_000 + i, f"s{i:03d}") for i in range(students)]
        bot = subprocess.Popen([sys.executable, "-c", ECHO_BOT, tg.token, tg.base_url, str(concurrency)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            tg.wait_for(lambda: any(m == "getUpdates" for m, _ in tg.calls), 60, "the echo bot to start polling")
            cpu_before, fakes_before = _cpu_seconds(bot.pid), time.process_time()
            started = time.monotonic()
            update_ids = tg.enqueue_many([(users[k % students], f"/submit tiny https://github.com/s{k % students:03d}"
                                           "-gh/dl") for k in range(updates)])
            messages = {tg.message_of_update[u] for u in update_ids}
            tg.wait_for(lambda: messages <= {s.reply_to for s in tg.sent}, 300, "every answer")
            result = timings(tg, update_ids)
            cpu, fakes_cpu = _cpu_seconds(bot.pid) - cpu_before, time.process_time() - fakes_before
            finished = max(s.at for s in tg.sent if s.reply_to in messages)
        finally:
            bot.kill()
            bot.wait()
    latencies = result.latencies
    return {"updates": updates, "students": students, "concurrency": concurrency, "lost": len(result.unanswered),
            "wall": finished - started, "p50": statistics.median(latencies), "p99": percentile(latencies, 0.99),
            "max": max(latencies), "bot_cpu": cpu, "fakes_cpu": fakes_cpu}


def floor_section(r: dict[str, object]) -> str:
    return f"""
## Telegram bot, floor: the same burst answered by a python-telegram-bot echo bot (`bench/bot.py --floor`)

{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}. A minimal `Application` (its own long polling,
{r['concurrency']} updates at once, one handler that answers "ok" and nothing else) against the same fake Telegram
Bot API, {r['updates']} updates from {r['students']} users waiting in getUpdates at once.

| measure | value |
|---|---|
| lost (never answered) | {r['lost']} |
| wall time (first update → last answer) | {r['wall']:.2f} s |
| update → answer p50 / p99 / max | {r['p50']:.2f} s / {r['p99']:.2f} s / {r['max']:.2f} s |
| echo bot CPU time | {r['bot_cpu']:.1f} s ({1000 * r['bot_cpu'] / r['updates']:.1f} ms per update) |
| fake Telegram's CPU time (this process) | {r['fakes_cpu']:.1f} s |
"""


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}"


def section(r: dict[str, object]) -> str:
    return f"""
## Telegram bot: {r['updates']} `/submit` updates from {r['students']} students {r['mode']} (`bench/bot.py`)

{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}. `grader bot run` as its own process against the local fake
Telegram Bot API (long polling) and the fake GitHub with {r['latency_ms']:.0f} ms added to every request
({'all updates waiting in getUpdates at once' if r['mode'] == 'in one burst' else 'updates ' + str(r['mode'])}).
Latency = from the update being available to Telegram until the
bot's answer reached Telegram. The fakes run in the benchmark's process on the same cores (the fake GitHub's
git answers memoized, see `freeze_fake_git`).

| measure | value |
|---|---|
| updates answered | {r['answered']} of {r['updates']} (accepted: {r['accepted']}) |
| lost (never answered) | {r['lost']} |
| stored / stored twice | {r['stored']} / {r['stored_twice']} (stored == answered: {r['stored'] == r['answered']}) |
| one active submission per student | {r['one_active_each']} |
| wall time (first update → last answer) | {r['wall']:.2f} s |
| updates per second | {r['rate']:.0f} |
| update → answer p50 / p99 / max | {r['p50']:.2f} s / {r['p99']:.2f} s / {r['max']:.2f} s |
| GitHub requests per submission | {r['github_per_submit']:.2f} |
| bot process CPU time | {r['bot_cpu']:.1f} s ({1000 * r['bot_cpu'] / r['updates']:.1f} ms per update) |
| fakes' CPU time (Telegram and GitHub, this process) | {r['fakes_cpu']:.1f} s |
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every GitHub request")
    parser.add_argument("--rate", type=float, help="deliver the updates at this many per second instead of in "
                        "one burst")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write bench/RESULTS.md")
    parser.add_argument("--floor", action="store_true", help="measure a python-telegram-bot echo bot instead")
    args = parser.parse_args()
    if args.floor:
        text = floor_section(run_floor(args.students, args.updates))
        print(text)
        if not args.no_write:
            write_section(text.strip().splitlines()[0], text)
        return 0
    result = run(args.students, args.updates, args.latency, args.rate)
    text = section(result)
    print(text)
    if not args.no_write:
        write_section(text.strip().splitlines()[0], text)
    return 0 if result["lost"] == 0 and result["stored"] == result["answered"] else 1


if __name__ == "__main__":
    sys.exit(main())
