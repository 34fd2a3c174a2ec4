#!/usr/bin/env bash
# Rebuild the shipped English pipeline from ../shared/data, reproducibly (fixed seeds).
#
#   bash training/train.sh [DATA_DIR]          # default DATA_DIR: ../shared/data
#
# Steps: convert the corpora, build the cluster vectors, train the syntax model and the entity
# recognizer (one CPU thread each, in parallel), assemble them with the rule lemmatizer into
# src/rumormill/models/en_rumormill, score the result on the dev sets, then train the
# attribution span taggers on top (training/attribution.sh).
# Takes about an hour and forty minutes on a 2-core machine.  Needs the train extras:
#   pip install -c constraints.txt -e ".[train]"
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${1:-../shared/data}"
RUNS=training/runs
PY="${PYTHON:-python}"
export OMP_NUM_THREADS=1 PYTHONHASHSEED=0
mkdir -p "$RUNS"

"$PY" training/prepare.py --data "$DATA" --out training/corpus
"$PY" training/vectors.py --data "$DATA" --out training/vectors --seed 0

"$PY" -m spacy train training/configs/syntax.cfg --output "$RUNS/syntax" \
    --paths.train training/corpus/syntax-train.spacy --paths.dev training/corpus/ewt-dev.spacy \
    --paths.vectors training/vectors > "$RUNS/syntax.log" 2>&1 &
SYNTAX=$!
"$PY" -m spacy train training/configs/ner.cfg --output "$RUNS/ner" \
    --paths.train training/corpus/ner-train.spacy --paths.dev training/corpus/ner-pud.spacy \
    --paths.vectors training/vectors > "$RUNS/ner.log" 2>&1
wait "$SYNTAX"

"$PY" training/assemble.py --syntax "$RUNS/syntax/model-best" --ner "$RUNS/ner/model-best" \
    --out src/rumormill/models/en_rumormill
rumormill eval pipeline --data "$DATA" --json > "$RUNS/eval-dev.json"
cat "$RUNS/eval-dev.json"

bash training/attribution.sh "$DATA/polnear"

# The hedge-cue tagger (src/rumormill/models/hedges.json), on the pipeline just built; about a minute.
"$PY" training/hedges.py --data "$DATA/uncertainty" --out src/rumormill/models/hedges.json

# The certainty model (src/rumormill/models/certainty.json), on the pipeline just built; about a
# minute.
"$PY" training/certainty.py --data "$DATA/factuality" --out src/rumormill/models/certainty.json

# The static claim-embedding model (src/rumormill/models/claims-static), distilled from
# all-MiniLM-L6-v2; needs the embed and distill extras (torch): about 20 minutes on one core.
if "$PY" -c "import model2vec.distill, sentence_transformers" 2>/dev/null; then
    "$PY" training/embeddings.py
else
    echo "skipping training/embeddings.py: pip install -c constraints.txt -e '.[embed,distill,train]'" >&2
fi
