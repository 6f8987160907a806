"""spark-submit entry: `recspark validate-data` with the same options."""

import sys

from recspark.cli import main

if __name__ == "__main__":
    main(["validate-data", *sys.argv[1:]])
