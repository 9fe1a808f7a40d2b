"""Autograding: nbgrader's autograde machinery plus the stages this course adds."""
