"""spark-submit entry: `recspark selftest` with the same options."""

import sys

from recspark.cli import main

if __name__ == "__main__":
    main(["selftest", *sys.argv[1:]])
