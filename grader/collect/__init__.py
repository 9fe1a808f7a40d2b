"""Collecting submissions from students' GitHub repositories at their pinned commits.

    submit_link(course, student, hwN, link, received_at, source_key=None) -> Submission   (one link)
    store_submissions(course, [NewSubmission, ...]) -> [Submission, ...]                 (the bot's batches)
    collect_assignment(course, hwN, ...) -> CollectSummary                               (grader collect hwN)
    collect_stage(course, console)                                                        (grader demo)
"""

from grader.collect.batch import CollectSummary, Outcome, collect_assignment
from grader.collect.submit import NewSubmission, store_submissions, stored_by_key, submit_link

__all__ = ["CollectSummary", "NewSubmission", "Outcome", "collect_assignment", "collect_stage", "store_submissions",
           "stored_by_key", "submit_link"]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name == "collect_stage":  # the demo stage pulls in the local fake server: load it only when asked
        from grader.collect.demo import collect_stage

        return collect_stage
    raise AttributeError(name)
