"""recspark: plant a population whose tastes are known, then check a recommender against it."""

__version__ = "0.1.0"
