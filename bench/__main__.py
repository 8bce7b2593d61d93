"""``python -m bench NAME [--n N]`` runs one benchmark; ``python -m bench all`` runs each in its own
process and prints a table.  The last line of a single run is its JSON figures."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys

from bench.registry import BENCHMARKS


def run_one(name: str, n: int | None) -> dict:
    benchmark = BENCHMARKS[name]
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("set DATABASE_URL (benchmarks are measured on PostgreSQL)")
    figures = benchmark.run(url, n or benchmark.default_n)
    figures = {"bench": name, **figures}
    baseline = figures["baseline_seconds"]
    figures["ratio"] = round(figures["seconds"] / baseline, 3) if baseline else None
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("name", choices=[*BENCHMARKS, "all"])
    parser.add_argument("--n", type=int, default=None, help="rows (default: the benchmark's own)")
    args = parser.parse_args(argv)
    if args.name != "all":
        print(json.dumps(run_one(args.name, args.n), ensure_ascii=False))
        return 0
    rows = []
    for name in BENCHMARKS:
        command = [sys.executable, "-m", "bench", name] + (["--n", str(args.n)] if args.n else [])
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(output.strip().splitlines()[-1]))
    columns = ["bench", "n", "seconds", "baseline_seconds", "ratio", "peak_rss_mb"]
    print("  ".join(f"{c:>16}" for c in columns) + "  other figures")
    for row in rows:
        extra = ", ".join(f"{k}={v}" for k, v in row.items() if k not in columns)
        print("  ".join(f"{row.get(c)!s:>16}" for c in columns) + f"  {extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
