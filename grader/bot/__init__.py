"""The Telegram bot: the course's front door. Students register, hand in GitHub links, and see their results.

    config.py     BotSettings (traitlets, in nbgrader_config.py); the token from TELEGRAM_BOT_TOKEN only
    boundary.py   the Telegram boundary: sending with 429 honoured, telegram.error → grader.errors
    service.py    register, submit (validate → deadline → ownership → pin and store) as plain functions
    projects.py   /project: solo or pair, both partners confirm
    queries.py    /status, /deadlines, /stats
    texts.py      every answer in Russian and English; answers.py turns results into those texts
    handlers.py   one async handler per command, the gate (groups, floods, long text), the one error handler
    runtime.py    dependencies, the per-student rate limit, ordered concurrent processing, at-least-once offsets
    app.py        build_application (all wiring) and serve (long polling or webhook)
    run.py, cli.py   ``grader bot run`` / ``grader bot notify``; notify.py sends results from other commands
"""
