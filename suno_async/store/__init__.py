"""Shared state of one account across processes and machines (work in progress).

The journal's SQLite engine lives here; the ``Store`` layer builds on it.
"""
