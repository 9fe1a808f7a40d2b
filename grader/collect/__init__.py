"""Collecting submissions from students' GitHub repositories at their pinned commits.

    submit_link(course, student, hwN, link, received_at, source_key=None) -> Submission   (one link)
    store_submissions(course, [NewSubmission, ...]) -> [Submission, ...]                 (the bot's batches)
    collect_assignment(course, hwN, ...) -> CollectSummary                               (grader collect hwN)
"""

from grader.collect.batch import CollectSummary, Outcome, collect_assignment
from grader.collect.submit import NewSubmission, store_submissions, stored_by_key, submit_link

__all__ = ["CollectSummary", "NewSubmission", "Outcome", "collect_assignment", "store_submissions", "stored_by_key",
           "submit_link"]
