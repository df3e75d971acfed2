#!/usr/bin/env bash
# Prints benchmark results (one flat JSON object per line, as the benchmarks write to
# $ZXVM_BENCH_JSON) as an aligned table: one row per line, one column per key, keys in order of
# first appearance.
#
#   tools/bench-table.sh FILE.jsonl
set -euo pipefail

f=${1:?usage: bench-table.sh FILE.jsonl}
if [ ! -s "$f" ]; then
  echo "bench: no results in $f"
  exit 0
fi

awk '
  # Splits one flat JSON object into row[r, key] = value.
  function parse(line,    s, key, val, m) {
    s = line
    sub(/^[ \t]*\{/, "", s)
    sub(/\}[ \t]*$/, "", s)
    while (match(s, /^[ \t,]*"[^"]*"[ \t]*:[ \t]*/)) {
      m = substr(s, RSTART, RLENGTH)
      s = substr(s, RSTART + RLENGTH)
      key = m
      sub(/^[ \t,]*"/, "", key)
      sub(/"[ \t]*:[ \t]*$/, "", key)
      if (substr(s, 1, 1) == "\"") {
        match(s, /^"([^"\\]|\\.)*"/)
        val = substr(s, 2, RLENGTH - 2)
      } else {
        match(s, /^[^,]*/)
        val = substr(s, 1, RLENGTH)
        gsub(/[ \t]+$/, "", val)
      }
      s = substr(s, RLENGTH + 1)
      if (!(key in seen)) { seen[key] = 1; keys[++nkeys] = key; width[key] = length(key) }
      row[rows, key] = val
      if (length(val) > width[key]) width[key] = length(val)
    }
  }
  /^[ \t]*\{/ { rows++; parse($0) }
  END {
    line = ""
    for (k = 1; k <= nkeys; k++) line = line sprintf("%-*s  ", width[keys[k]], keys[k])
    print line
    line = ""
    for (k = 1; k <= nkeys; k++) { d = sprintf("%*s", width[keys[k]], ""); gsub(/ /, "-", d); line = line d "  " }
    print line
    for (r = 1; r <= rows; r++) {
      line = ""
      for (k = 1; k <= nkeys; k++) {
        v = ((r, keys[k]) in row) ? row[r, keys[k]] : ""
        line = line sprintf("%-*s  ", width[keys[k]], v)
      }
      print line
    }
  }
' "$f"
