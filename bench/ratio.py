#!/usr/bin/env python3
"""The ratio of two points' median scoring times, from the runs bench/scoring.sh appended to its results.

Reads the last N runs of target/bench-scoring/results.jsonl (a series of `REPEATS=1 bench/scoring.sh`
with the two points alternated, e.g. S T T S S T T S ...) and prints, for the scoring + write time and
the executors' CPU time: each point's runs and median, the ratio of the medians (large / small), the
ratio within each block of four runs of the two points in the order given (S T T S), and a 95% bootstrap interval of the ratio of
medians (the runs of each point resampled with replacement, 10,000 times, fixed seed).

    bench/ratio.py [--last N] [--results FILE] SMALL_DATA LARGE_DATA
e.g.
    bench/ratio.py --last 16 data-20000-5000 data-1000000-100000
"""
import argparse
import json
import random
import statistics


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--last", type=int, default=0, help="only the last N runs of the file (0: all)")
    parser.add_argument("--results", default="target/bench-scoring/results.jsonl")
    parser.add_argument("small")
    parser.add_argument("large")
    args = parser.parse_args()
    runs = [json.loads(line.split("RESULT ", 1)[1]) for line in open(args.results) if line.startswith("RESULT ")]
    runs = runs[-args.last:] if args.last else runs
    failed = [r["log"] for r in runs if r["exit"] != 0 or r["score_and_write_s"] is None]
    if failed:
        raise SystemExit("failed runs in the series (see their logs): " + ", ".join(failed))
    runs = [r for r in runs if r["data"] in (args.small, args.large)]  # a third point's runs are left out
    for measure in ("score_and_write_s", "executor_cpu_s"):
        small = [r[measure] for r in runs if r["data"] == args.small]
        large = [r[measure] for r in runs if r["data"] == args.large]
        if not small or not large:
            raise SystemExit("no runs of both points")
        ratio = statistics.median(large) / statistics.median(small)
        rng = random.Random(1)
        draws = sorted(statistics.median(rng.choices(large, k=len(large)))
                       / statistics.median(rng.choices(small, k=len(small))) for _ in range(10000))
        blocks = []
        for start in range(0, len(runs) - len(runs) % 4, 4):
            block = runs[start:start + 4]
            b_small = [r[measure] for r in block if r["data"] == args.small]
            b_large = [r[measure] for r in block if r["data"] == args.large]
            if b_small and b_large:
                blocks.append(statistics.mean(b_large) / statistics.mean(b_small))
        print(f"{measure}:")
        print(f"  {args.small}: {', '.join(f'{v:.2f}' for v in small)} (median {statistics.median(small):.2f})")
        print(f"  {args.large}: {', '.join(f'{v:.2f}' for v in large)} (median {statistics.median(large):.2f})")
        print(f"  ratio of medians {ratio:.3f}, 95% bootstrap interval {draws[250]:.3f}-{draws[9749]:.3f}; "
              f"per block of four {', '.join(f'{b:.2f}' for b in blocks)}")


if __name__ == "__main__":
    main()
