"""The authoring lab: an assignment copied into a scratch course and graded through the production path
(``course.py``), and the mutation check of its hidden tests (``mutate.py``)."""
