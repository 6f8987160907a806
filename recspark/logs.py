"""Logging set-up and a timer for long stages: what happened, with counts and durations."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("recspark")


def configure(verbose: bool = False) -> None:
    """Progress lines on stderr; Spark's own logging stays at WARN."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s recspark %(message)s",
        datefmt="%H:%M:%S",
    )
    for noisy in ("py4j", "great_expectations"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@contextmanager
def stage(name: str) -> Iterator[dict[str, object]]:
    """Log the start and the end of a stage with its duration; the body may add details."""
    details: dict[str, object] = {}
    log.info("%s ...", name)
    started = time.perf_counter()
    yield details
    elapsed = time.perf_counter() - started
    extra = ", ".join(f"{k} {v}" for k, v in details.items())
    log.info("%s done in %.1fs%s", name, elapsed, f" ({extra})" if extra else "")
    details["seconds"] = round(elapsed, 3)
