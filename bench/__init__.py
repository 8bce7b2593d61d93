"""Benchmarks with synthetic national-scale data.  ``python -m bench NAME`` runs one against DATABASE_URL.

Each benchmark times the project's own path and a plain baseline doing the same work (for example
batched INSERTs of the same rows), in the same run, and prints one JSON line last:
``{"bench", "n", "seconds", "baseline_seconds", "ratio", "peak_rss_mb", ...}``.
"""
