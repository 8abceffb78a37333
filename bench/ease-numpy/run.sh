#!/usr/bin/env bash
# EASE's fit in numpy (Steck's notebook: sparse XᵀX, linalg.inv) and in AdvRec (advrec bench --model EASE), on the
# same training file and machine, one after the other; prints both and the ratio numpy / AdvRec.
#   bench/ease-numpy/run.sh [float64|float32] [TRAIN TEST]
# TRAIN and TEST default to ../shared/data/ml-1m-implicit-lightgcnpp/{train,test}.txt.gz (adjacency lines: a user,
# then the user's items); both fit on all of TRAIN (AdvRec's eval_s uses TEST). Needs a python3 with
# numpy (Debian: apt-get install python3-numpy python3-scipy); without one it says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
precision=${1:-float64}
train=${2:-../shared/data/ml-1m-implicit-lightgcnpp/train.txt.gz}
test=${3:-../shared/data/ml-1m-implicit-lightgcnpp/test.txt.gz}
for f in "$train" "$test"; do [ -f "$f" ] || { echo "skipped: $f not found"; exit 0; }; done
python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import numpy" 2>/dev/null; then python=$candidate; break; fi
done
[ -n "$python" ] || { echo "skipped: no python3 with numpy here (Debian: apt-get install python3-numpy python3-scipy)"; exit 0; }

numpy_json=$("$python" bench/ease-numpy/ease_numpy.py "$train" --dtype "$precision")
echo "numpy:  $numpy_json"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet run --project src/AdvRec.Cli -c Release -- bench --train "$train" --test "$test" --format adjacency --model EASE \
  --hp precision="$precision" --epochs 3 --json "$out/advrec.json" >/dev/null
advrec_json=$(tr -d '\n ' < "$out/advrec.json")
echo "advrec: $advrec_json"
"$python" - "$numpy_json" "$out/advrec.json" <<'PY'
import json, sys
numpy_fit = json.loads(sys.argv[1])["fit_s"]
advrec_fit = json.load(open(sys.argv[2]))["ease_fit_s"]
print(f"EASE fit: numpy {numpy_fit:.3f} s, AdvRec {advrec_fit:.3f} s, numpy / AdvRec = {numpy_fit / advrec_fit:.2f}")
PY
