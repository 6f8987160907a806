"""spark-submit entry: `recspark train-baseline` with the same options."""

import sys

from recspark.cli import main

if __name__ == "__main__":
    main(["train-baseline", *sys.argv[1:]])
