#!/usr/bin/env bash
# Retrain the attribution span taggers from PolNeAR train (chosen on dev) and put them into
# the shipped pipeline, reproducibly (fixed seeds, one thread each).
#
#   bash training/attribution.sh [POLNEAR_DIR]     # default: ../shared/data/polnear
#
# Steps: parse PolNeAR with the shipped pipeline and write the two span layers with their
# syntax features (training/attribution_spans.py), train the SOURCE+CUE and the CONTENT
# tagger in parallel (training/configs/attribution-spans.cfg), source both into
# src/rumormill/models/en_rumormill, and score the result on dev.
# Takes about 40 minutes on a 2-core machine.  Needs the dev install (pip install -e ".[dev]").
set -euo pipefail
cd "$(dirname "$0")/.."
POLNEAR="${1:-../shared/data/polnear}"
RUNS=training/runs
MODEL=src/rumormill/models/en_rumormill
PY="${PYTHON:-python}"
export OMP_NUM_THREADS=1 PYTHONHASHSEED=0
mkdir -p "$RUNS" training/corpus

"$PY" training/attribution_spans.py --polnear "$POLNEAR" --out training/corpus

for LAYER in short content; do
    "$PY" -m spacy train training/configs/attribution-spans.cfg \
        --output "$RUNS/attribution-$LAYER" --code src/rumormill/nlp/span_features.py \
        --paths.train "training/corpus/polnear-$LAYER-train.spacy" \
        --paths.dev "training/corpus/polnear-$LAYER-dev.spacy" \
        --paths.vectors "$MODEL" > "$RUNS/attribution-$LAYER.log" 2>&1 &
done
wait

"$PY" training/attribution_spans.py --assemble \
    "$RUNS/attribution-short/model-best" "$RUNS/attribution-content/model-best" --model "$MODEL"
rumormill eval attribution --polnear "$POLNEAR" --split dev --json \
    > "$RUNS/eval-attribution-dev.json"
cat "$RUNS/eval-attribution-dev.json"
