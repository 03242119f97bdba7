"""Comptoir: composition root, settings, command line and embedded runtime."""
