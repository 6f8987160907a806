"""spark-submit entry: generate a planted population (same options as `recspark generate`)."""

import sys

from recspark.cli import main

if __name__ == "__main__":
    main(["generate", *sys.argv[1:]])
