"""Scaffolding for ``grader demo`` and the tests: not used by the product's own code paths.

    run.py             ``grader demo``: the whole pipeline on a synthetic class in a scratch course
    collect_stage.py   the demo's GitHub stage: links pinned and collected through the local fake GitHub
    bot_stage.py       the demo's Telegram stage: the real bot against the local fake Telegram and GitHub
    fake_telegram.py   a local fake Telegram Bot API (a real HTTP server on 127.0.0.1)
    fake_github.py     a local fake GitHub REST API (a real HTTP server on 127.0.0.1) with real git repositories
    fake_git.py        the fake GitHub's git side: bare repositories, commits, heads, served over file://
    loopback.py        the HTTP server both fakes run on: 127.0.0.1 only, a deep listen backlog

The production code reaches GitHub and Telegram only through ``grader.github`` and ``grader.bot.boundary``;
pointed at these fakes, it differs from a real deployment only by its base URL.
"""
