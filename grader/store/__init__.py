"""The grader's own database (registrations, submissions, results), behind SQLAlchemy."""
