"""spark-submit entry: `recspark validate-lake` with the same options."""

import sys

from recspark.cli import main

if __name__ == "__main__":
    main(["validate-lake", *sys.argv[1:]])
