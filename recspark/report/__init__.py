"""The self-contained HTML report of a dataset's verdicts."""
