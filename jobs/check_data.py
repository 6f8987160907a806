"""spark-submit entry: check a generated dataset against its plan (as `recspark check-data`)."""

import sys

from recspark.cli import main

if __name__ == "__main__":
    main(["check-data", *sys.argv[1:]])
