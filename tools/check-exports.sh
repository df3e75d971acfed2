#!/usr/bin/env bash
# Checks the symbols zxvm exports (STYLE.md, "Names"): every defined global symbol of libzxvm.a and
# every defined dynamic symbol of libzxvm.so starts with zx_ or zxvm_, and both lists are the same.
#
#   tools/check-exports.sh [BUILD_DIR]
#
# BUILD_DIR defaults to build-release if it holds the libraries, else build.
set -euo pipefail

dir=${1:-}
if [ -z "$dir" ]; then
  if [ -f build-release/libzxvm.a ]; then dir=build-release; else dir=build; fi
fi
a="$dir/libzxvm.a"
so="$dir/libzxvm.so"
for f in "$a" "$so"; do
  if [ ! -f "$f" ]; then
    echo "check-exports: $f not found (build first: make release)" >&2
    exit 1
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# `nm` prints "VALUE TYPE NAME" per symbol and "member.o:" headers for archives; keep NAME.
nm -g --defined-only "$a" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/a"
nm -D --defined-only "$so" | awk 'NF == 3 { print $3 }' | sed 's/@.*//' | sort -u >"$tmp/so"

status=0
for kind in a so; do
  bad=$(grep -Ev '^(zx|zxvm)_' "$tmp/$kind" || true)
  if [ -n "$bad" ]; then
    echo "check-exports: libzxvm.$kind exports symbols outside zx_*/zxvm_*:" >&2
    sed 's/^/  /' <<<"$bad" >&2
    status=1
  fi
done

if ! cmp -s "$tmp/a" "$tmp/so"; then
  echo "check-exports: libzxvm.a and libzxvm.so export different symbols (< .a, > .so):" >&2
  diff "$tmp/a" "$tmp/so" | grep '^[<>]' | sed 's/^/  /' >&2 || true
  status=1
fi

echo "check-exports: $(wc -l <"$tmp/a") symbols in libzxvm.a, $(wc -l <"$tmp/so") in libzxvm.so ($dir)"
if [ $status -eq 0 ]; then
  echo "check-exports: OK"
fi
exit $status
