"""The grading policy as pure functions over typed inputs: no I/O, no configuration loading."""
