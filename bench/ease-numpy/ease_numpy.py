"""EASE's fit as the Python frameworks write it (Steck's notebook): G = XᵀX from a sparse X, P = inv(G + λI),
B = P / (−diag P) with a zero diagonal. Prints one JSON line with the median seconds of each part.

Usage: ease_numpy.py TRAIN_ADJACENCY[.gz] [--lambda 500] [--runs 3] [--dtype float64|float32]
The file holds one user per line: the user id, then the ids of the user's items.
"""
import argparse
import gzip
import json
import os
import statistics
import sys
import time

import numpy as np


def read_adjacency(path):
    opener = gzip.open if path.endswith(".gz") else open
    users, items = [], []
    with opener(path, "rt") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            u = int(parts[0])
            for i in parts[1:]:
                users.append(u)
                items.append(int(i))
    users = np.asarray(users)
    items = np.asarray(items)
    # dense ids in order of first appearance is not needed: the ids are already 0-based and dense
    return users, items


def gram(users, items, n_users, n_items, dtype):
    try:
        import scipy.sparse as sp
        x = sp.csr_matrix((np.ones(len(users), dtype=dtype), (users, items)), shape=(n_users, n_items))
        x.sum_duplicates()
        x.data[:] = 1
        return np.asarray(x.T.dot(x).toarray(), dtype=dtype), "scipy.sparse XᵀX"
    except ImportError:
        x = np.zeros((n_users, n_items), dtype=dtype)
        x[users, items] = 1
        return x.T @ x, "dense XᵀX (scipy not installed)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("train")
    parser.add_argument("--lambda", dest="lam", type=float, default=500.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = parser.parse_args()
    dtype = np.float64 if args.dtype == "float64" else np.float32
    users, items = read_adjacency(args.train)
    n_users, n_items = users.max() + 1, items.max() + 1
    gram_s, inv_s, weights_s, fit_s = [], [], [], []
    for _ in range(args.runs + 1):  # the first run warms up
        t0 = time.perf_counter()
        g, how = gram(users, items, n_users, n_items, dtype)
        t1 = time.perf_counter()
        g[np.diag_indices(n_items)] += args.lam
        p = np.linalg.inv(g)
        t2 = time.perf_counter()
        b = p / (-np.diag(p))
        b[np.diag_indices(n_items)] = 0
        t3 = time.perf_counter()
        gram_s.append(t1 - t0)
        inv_s.append(t2 - t1)
        weights_s.append(t3 - t2)
        fit_s.append(t3 - t0)
        del g, p, b
    median = lambda xs: statistics.median(xs[1:])
    print(json.dumps({
        "numpy": np.__version__, "gram": how, "dtype": args.dtype, "users": int(n_users), "items": int(n_items),
        "threads": os.cpu_count(), "gram_s": median(gram_s), "inverse_s": median(inv_s),
        "weights_s": median(weights_s), "fit_s": median(fit_s)}))


if __name__ == "__main__":
    sys.exit(main())
