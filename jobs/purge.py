"""spark-submit entry: `recspark purge` with the same options."""

import sys

from recspark.cli import main

if __name__ == "__main__":
    main(["purge", *sys.argv[1:]])
