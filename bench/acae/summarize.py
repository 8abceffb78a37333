"""Mean over the seed folders of a study's robustness.tsv: clean, FGSM and random-noise figures per model and eps."""
import csv
import glob
import sys
from collections import defaultdict
from statistics import mean, stdev

root = sys.argv[1]
files = sorted(glob.glob(f"{root}/seed-*/*/performance/robustness.tsv"))
if not files:
    sys.exit(f"no robustness.tsv under {root}/seed-*/")
rows = defaultdict(lambda: defaultdict(list))
order = []
for path in files:
    with open(path, newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            key = (r["model"], r["metric"], float(r["eps"]))
            if key not in rows:
                order.append(key)
            for column in ("clean", "attacked", "random"):
                rows[key][column].append(float(r[column]))
print(f"{root}: mean over {len(files)} seeds (± standard deviation over the seeds)")
print("model\tmetric\teps\tclean\tFGSM\trandom\tFGSM change\trandom change")
for model, metric, eps in order:
    v = rows[(model, metric, eps)]
    c, a, n = (mean(v[k]) for k in ("clean", "attacked", "random"))
    sd = lambda k: f" ±{stdev(v[k]):.4f}" if len(v[k]) > 1 else ""
    print(f"{model}\t{metric}\t{eps:g}\t{c:.4f}{sd('clean')}\t{a:.4f}{sd('attacked')}\t{n:.4f}\t{(a - c) / c * 100 if c else 0:+.1f}%\t{(n - c) / c * 100 if c else 0:+.1f}%")
