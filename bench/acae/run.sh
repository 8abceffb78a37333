#!/usr/bin/env bash
# ACAE / FG-ACAE against CDAE, BPR-MF and AMF, clean and under FGSM (random noise of the same norms beside it), over
# three seeds, on ML-100K and on the implicit ML-1M split; prints the mean over the seeds of each figure.
# Usage: bash bench/acae/run.sh [ml100k|ml1m|both] [seeds...]    (from the repository root; needs ../shared/data)
# ACAE_TARGETS="input, user, hidden" restricts the sweep to those targets (models without them are skipped), so
# that the auto-encoders are attacked on the same parts; by default each model is attacked on all of its targets.
set -euo pipefail
cd "$(dirname "$0")/../.."
which="${1:-both}"; shift || true
seeds=("${@:-1 2 3}"); seeds=(${seeds[*]})
out="${ACAE_OUT:-results/acae}"
dotnet build src/AdvRec.Cli -c Release -v q -nologo >/dev/null
cli=src/AdvRec.Cli/bin/Release/net10.0/AdvRec.Cli
configs=()
[ "$which" = ml1m ] || configs+=(examples/acae-vs-cdae-ml100k.yml)
[ "$which" = ml100k ] || configs+=(bench/acae/acae-vs-cdae-ml1m-implicit.yml)
for config in "${configs[@]}"; do
  name=$(basename "$config" .yml)${ACAE_TARGETS:+-targets-${ACAE_TARGETS//[ ,]/}}
  for seed in "${seeds[@]}"; do
    echo "== $name, seed $seed"
    # the study's random_seed seeds the split; each model's own seed seeds its initialisation and batches
    sets=(--set experiment.random_seed="$seed")
    [ -z "${ACAE_TARGETS:-}" ] || sets+=(--set "experiment.evaluation.robustness.targets=[$ACAE_TARGETS]")
    for model in CDAE ACAE FG-ACAE BPR-MF AMF; do sets+=(--set "experiment.models.$model.hyperparameters.seed=$seed"); done
    "$cli" run "$config" "${sets[@]}" --output "$out/$name/seed-$seed" | tail -n 12
  done
  python3 bench/acae/summarize.py "$out/$name"
done
