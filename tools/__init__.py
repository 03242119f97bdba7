"""Typed tools over domain services — arrives with the agents issue."""
