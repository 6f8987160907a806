"""Interaction events simulated from the planted population."""
