"""spark-submit entry: `recspark report` with the same options."""

import sys

from recspark.cli import main

if __name__ == "__main__":
    main(["report", *sys.argv[1:]])
