"""spark-submit entry: `recspark evaluate` with the same options."""

import sys

from recspark.cli import main

if __name__ == "__main__":
    main(["evaluate", *sys.argv[1:]])
