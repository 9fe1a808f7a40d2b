"""The final project: checks of its repository at the pinned commit, the instructor's marks, and the CLI.

Stages of a check, in order (``checks.py``): fetch → readme → datasets → space → invitation → suggest.
The system only suggests bonuses; the instructor confirms each one and enters the defence mark.
"""
