"""Autograding and grading for the course 'Fundamentals of Deep Learning'."""

__version__ = "0.1.0"
