"""``grader serve``: one long-running process for a term: the Telegram bot, and a pipeline that takes every new
submission through fetch → check (visible tests, before the deadline) → grade (hidden tests, after it) →
a message to the student. See ``run.py`` for the stages and ``loop.py`` for the pipeline."""
