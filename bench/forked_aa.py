#!/usr/bin/env python3
"""Forked processes against fresh ones, from two `run` files of each kind
(the same benchmarks and profile): python3 bench/forked_aa.py FRESH1 FRESH2
FORKED1 FORKED2.

For each pair it prints the geometric mean, over the benchmarks both files
hold, of the ratio of their means, with a 95% confidence interval (t on the
log-ratios): an A/A within a kind should contain 1, and forked against fresh
(each kind's two files pooled) too, if forking biases nothing.  Then how
processes vary: the median, over benchmarks, of the ratio of the
between-process coefficient of variation (the stdev of per-process means
over their mean), forked over fresh; about 1 if a forked process varies as
a fresh one does."""
import json
import math
import statistics
import sys

T95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26,
       10: 2.23, 15: 2.13, 20: 2.09, 30: 2.04, 60: 2.00}


def t95(df):
    return T95[max(k for k in T95 if k <= df)] if df < 60 else 1.96


def process_means(path):
    """{benchmark: [per-process means]} of the runs with values."""
    out = {}
    for b in json.load(open(path))["benchmarks"]:
        means = [statistics.fmean(r["values"]) for r in b["runs"] if r.get("values")]
        if len(means) >= 2:
            out[b["metadata"]["name"]] = means
    return out


def ratio_ci(a, b):
    """Geometric mean of mean(b)/mean(a) over shared benchmarks, and its CI."""
    logs = [math.log(statistics.fmean(b[k]) / statistics.fmean(a[k])) for k in a if k in b]
    m = statistics.fmean(logs)
    h = t95(len(logs) - 1) * statistics.stdev(logs) / math.sqrt(len(logs))
    return len(logs), math.exp(m), math.exp(m - h), math.exp(m + h)


def pooled(x, y):
    return {k: x[k] + y[k] for k in x if k in y}


def cv(means):
    return statistics.stdev(means) / statistics.fmean(means)


def main(fresh1, fresh2, forked1, forked2):
    f1, f2, k1, k2 = (process_means(p) for p in (fresh1, fresh2, forked1, forked2))
    for label, a, b in (("A/A fresh (2nd/1st)", f1, f2), ("A/A forked (2nd/1st)", k1, k2),
                        ("forked/fresh (pooled)", pooled(f1, f2), pooled(k1, k2))):
        n, g, lo, hi = ratio_ci(a, b)
        verdict = "contains 1" if lo <= 1 <= hi else "EXCLUDES 1"
        print(f"{label:24} geometric mean ratio {g:.4f}, 95% CI [{lo:.4f}, {hi:.4f}] "
              f"over {n} benchmarks: {verdict}")
    fr, fk = pooled(f1, f2), pooled(k1, k2)
    ratios = [cv(fk[k]) / cv(fr[k]) for k in fr if k in fk and cv(fr[k]) > 0]
    print(f"{'process-to-process CV':24} forked/fresh median {statistics.median(ratios):.2f} "
          f"(quartiles {statistics.quantiles(ratios, n=4)[0]:.2f}-"
          f"{statistics.quantiles(ratios, n=4)[2]:.2f}) over {len(ratios)} benchmarks")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
