"""Scorers for the public benchmarks; every one returns the evaluation JSON contract."""
