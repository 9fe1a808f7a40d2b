"""Scaffolding for ``grader demo`` and the tests: not used by the product's own code paths.

    run.py             ``grader demo``: the whole term on a synthetic class in a scratch course
    serve_stage.py     the term through ``grader serve``: the real bot and pipeline against the local fakes
    fake_telegram.py   a local fake Telegram Bot API (a real HTTP server on 127.0.0.1)
    fake_github.py     a local fake GitHub REST API (a real HTTP server on 127.0.0.1) with real git repositories
    fake_git.py        the fake GitHub's git side: bare repositories, commits, heads, served over file://
    loopback.py        the HTTP server both fakes run on: 127.0.0.1 only, a deep listen backlog

The production code reaches GitHub and Telegram only through ``grader.github`` and ``grader.bot.boundary``;
pointed at these fakes, it differs from a real deployment only by its base URL.
"""
