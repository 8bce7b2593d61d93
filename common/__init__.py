"""Shared kernel: database base, money, periods, clock and domain errors.

This package imports nothing else of the project, and no web framework.
"""
