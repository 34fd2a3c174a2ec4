#!/usr/bin/env bash
# Retrain the attribution span tagger from PolNeAR train (chosen on dev) and put it into the
# shipped pipeline, reproducibly (fixed seed, one thread).
#
#   bash training/attribution.sh [POLNEAR_DIR]     # default: ../shared/data/polnear
#
# Steps: parse PolNeAR with the shipped pipeline and write SOURCE, CUE and CONTENT spans with
# their syntax features (training/attribution_spans.py), train the tagger
# (training/configs/attribution-spans.cfg), source it into src/rumormill/models/en_rumormill,
# and score the result on dev.
# Takes about 20 minutes on one core.  Needs the dev install (pip install -e ".[dev]").
set -euo pipefail
cd "$(dirname "$0")/.."
POLNEAR="${1:-../shared/data/polnear}"
RUNS=training/runs
MODEL=src/rumormill/models/en_rumormill
PY="${PYTHON:-python}"
export OMP_NUM_THREADS=1 PYTHONHASHSEED=0
mkdir -p "$RUNS" training/corpus

"$PY" training/attribution_spans.py --polnear "$POLNEAR" --out training/corpus --model "$MODEL"

"$PY" -m spacy train training/configs/attribution-spans.cfg \
    --output "$RUNS/attribution-tagger" --code src/rumormill/nlp/span_features.py \
    --paths.train training/corpus/polnear-spans-train.spacy \
    --paths.dev training/corpus/polnear-spans-dev.spacy \
    --paths.vectors "$MODEL" > "$RUNS/attribution-tagger.log" 2>&1

"$PY" training/attribution_spans.py --assemble "$RUNS/attribution-tagger/model-best" \
    --model "$MODEL"
rumormill eval attribution --polnear "$POLNEAR" --split dev --json \
    > "$RUNS/eval-attribution-dev.json"
cat "$RUNS/eval-attribution-dev.json"
