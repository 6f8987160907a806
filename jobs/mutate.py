"""spark-submit entry: `recspark mutate` with the same options."""

import sys

from recspark.cli import main

if __name__ == "__main__":
    main(["mutate", *sys.argv[1:]])
