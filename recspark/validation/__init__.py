"""The only package that imports great_expectations: rules as data, suites and checkpoints."""
