#!/usr/bin/env python3
"""The ratio of two points' median scoring times, from the runs bench/scoring.sh appended to its results.

Reads the last N runs of target/bench-scoring/results.jsonl (a series of `REPEATS=1 bench/scoring.sh`
with the two points alternated, S T T S S T T S ...) and prints, for the scoring + write time and the
executors' CPU time: each point's runs and median, the ratio of the medians (large / small), a 95%
bootstrap interval of that ratio (each point's runs resampled with replacement, 10,000 times, seed 1:
the spread within the series, not the drift between hours), and the ratio of the means within each
block of four runs of the two points (S T T S or T S S T; runs of other points are left out first).

    bench/ratio.py [--last N] [--build after] [--results FILE] SMALL_DATA LARGE_DATA
e.g.
    bench/ratio.py --last 12 data-20000-5000 data-1000000-100000
"""
import argparse
import json
import random
import statistics

MEASURES = ("score_and_write_s", "executor_cpu_s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--last", type=int, default=0, help="only the last N runs of the file (0: all)")
    parser.add_argument("--build", help="only the runs of this build label (after, before)")
    parser.add_argument("--results", default="target/bench-scoring/results.jsonl")
    parser.add_argument("small")
    parser.add_argument("large")
    args = parser.parse_args()
    runs = [json.loads(line.split("RESULT ", 1)[1]) for line in open(args.results) if line.startswith("RESULT ")]
    runs = runs[-args.last:] if args.last else runs
    runs = [r for r in runs if r["data"] in (args.small, args.large) and args.build in (None, r["build"])]
    failed = [r["log"] for r in runs if r["exit"] != 0 or any(r[m] is None for m in MEASURES)]
    if failed:
        raise SystemExit("failed runs in the series (see their logs): " + ", ".join(failed))
    builds = {r["build"] for r in runs}
    if len(builds) > 1:
        raise SystemExit("runs of several builds (" + ", ".join(sorted(builds)) + "): choose one with --build")
    blocks = [runs[i:i + 4] for i in range(0, len(runs), 4)]
    if len(runs) % 4 or any(sum(r["data"] == args.small for r in b) != 2 for b in blocks):
        blocks = []  # not a series of S T T S blocks
    for measure in MEASURES:
        small = [r[measure] for r in runs if r["data"] == args.small]
        large = [r[measure] for r in runs if r["data"] == args.large]
        if not small or not large:
            raise SystemExit("no runs of both points")
        ratio = statistics.median(large) / statistics.median(small)
        rng = random.Random(1)
        draws = sorted(statistics.median(rng.choices(large, k=len(large)))
                       / statistics.median(rng.choices(small, k=len(small))) for _ in range(10000))
        per_block = [statistics.mean(r[measure] for r in b if r["data"] == args.large)
                     / statistics.mean(r[measure] for r in b if r["data"] == args.small) for b in blocks]
        print(f"{measure}:")
        print(f"  {args.small}: {', '.join(f'{v:.2f}' for v in small)} (median {statistics.median(small):.2f})")
        print(f"  {args.large}: {', '.join(f'{v:.2f}' for v in large)} (median {statistics.median(large):.2f})")
        print(f"  ratio of medians {ratio:.3f}, 95% bootstrap interval {draws[250]:.3f}-{draws[9749]:.3f}; "
              + ("per block of four " + ", ".join(f"{b:.2f}" for b in per_block) if per_block
                 else "not in blocks of S T T S"))


if __name__ == "__main__":
    main()
