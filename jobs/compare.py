"""spark-submit entry: `recspark compare` with the same options."""

import sys

from recspark.cli import main

if __name__ == "__main__":
    main(["compare", *sys.argv[1:]])
