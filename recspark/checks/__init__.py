"""Checks of generated data against the plan (the generator's self-check)."""
