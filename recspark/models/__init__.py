"""The reference recommender under test (ALS) and the degraded versions derived from its output."""
