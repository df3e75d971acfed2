#!/usr/bin/env bash
# Checks for, and as root installs, what zxvm's build targets need (Debian 12 package names).
#
#   tools/install-deps.sh [SET...]
#
# SET is one of:
#   base    cmake (>= 3.20), pkg-config, a C compiler, make, cmocka, binutils (nm, objcopy, ld)
#   tsan    base + clang-19 and its sanitizer runtimes (make tsan)
#   tsa     base + clang-19 (make tsa: -Wthread-safety)
#   format  clang-format-19 (make format, make format-check)
#   all     everything above (.ci/run)
# Default: base.
#
# Everything present: prints one line and exits 0 without touching apt. Something missing: as root,
# runs `apt-get update` once and `apt-get install -y --no-install-recommends` for what is missing;
# not root, prints the command to run and exits 1.
set -euo pipefail

CMAKE_MIN=3.20

sets=("$@")
[ ${#sets[@]} -eq 0 ] && sets=(base)

want_base=0 want_clang=0 want_rt=0 want_format=0
for s in "${sets[@]}"; do
  case "$s" in
    base) want_base=1 ;;
    tsan) want_base=1 want_clang=1 want_rt=1 ;;
    tsa) want_base=1 want_clang=1 ;;
    format) want_format=1 ;;
    all) want_base=1 want_clang=1 want_rt=1 want_format=1 ;;
    *)
      echo "install-deps: unknown set '$s' (base, tsan, tsa, format, all)" >&2
      exit 2
      ;;
  esac
done

missing=()
need() {  # need PACKAGE REASON: PACKAGE is missing, REASON says what was looked for
  local p
  for p in "${missing[@]+"${missing[@]}"}"; do [ "$p" = "$1" ] && return 0; done
  missing+=("$1")
  echo "install-deps: missing $1 ($2)"
}
have() { command -v "$1" >/dev/null 2>&1; }

# True when compiler $1 builds and links a small threaded C11 program.
compiles() {
  local dir rc=0
  dir=$(mktemp -d)
  printf '#include <pthread.h>\n#include <stdio.h>\nint main(void) { return 0; }\n' >"$dir/t.c"
  "$1" -std=c11 -pthread "$dir/t.c" -o "$dir/t" >/dev/null 2>&1 || rc=1
  rm -rf "$dir"
  return $rc
}

# True when Debian package $1 is installed.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

# True when dotted version $1 >= $2.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

if [ $want_base = 1 ]; then
  if ! have cmake; then
    need cmake "cmake >= $CMAKE_MIN"
  else
    v=$(cmake --version | sed -n 's/^cmake version \([0-9][0-9.]*\).*/\1/p')
    if ! version_ge "${v:-0}" "$CMAKE_MIN"; then
      need cmake "cmake $v found, >= $CMAKE_MIN needed"
    fi
  fi
  have make || need make "make"
  have pkg-config || need pkg-config "pkg-config"
  if ! have cc && ! have gcc; then
    need gcc "a C compiler (cc or gcc)"
    # gcc only recommends the C library headers; --no-install-recommends would skip them.
    installed libc6-dev || need libc6-dev "C library headers for gcc"
  elif ! compiles "$(command -v cc || command -v gcc)"; then
    need libc6-dev "C compiler found but cannot build a program with <pthread.h>"
  fi
  for t in nm objcopy ld ar; do have "$t" || need binutils "$t"; done
  if have pkg-config && ! pkg-config --exists cmocka; then
    need libcmocka-dev "pkg-config --exists cmocka"
  elif ! have pkg-config; then
    need libcmocka-dev "cmocka (unchecked: no pkg-config)"
  fi
fi

if [ $want_clang = 1 ]; then
  if ! have clang-19; then
    need clang-19 "clang-19"
  elif ! compiles clang-19; then
    need libc6-dev "clang-19 cannot build a program with <pthread.h>"
    need libgcc-12-dev "clang-19 cannot build a program with <pthread.h>"
  fi
fi

if [ $want_rt = 1 ]; then
  # The ThreadSanitizer runtime of clang-19 (a Recommends of clang-19, so not pulled in by
  # --no-install-recommends).
  rt=""
  if have clang-19; then
    rt=$(clang-19 -print-file-name=libclang_rt.tsan-x86_64.a 2>/dev/null || true)
    if [ ! -f "$rt" ]; then
      rt=$(clang-19 --print-runtime-dir 2>/dev/null || true)/libclang_rt.tsan.a
    fi
  fi
  if [ -z "$rt" ] || [ ! -f "$rt" ]; then
    installed libclang-rt-19-dev || need libclang-rt-19-dev "clang-19 ThreadSanitizer runtime"
  fi
fi

if [ $want_format = 1 ]; then
  have clang-format-19 || need clang-format-19 "clang-format-19"
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all present (${sets[*]})"
  exit 0
fi

if [ -n "${ZXVM_DEPS_RECHECK:-}" ]; then
  echo "install-deps: still missing after apt-get install: ${missing[*]}" >&2
  exit 1
fi

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: not root; install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

if ! have apt-get; then
  echo "install-deps: no apt-get; install these (Debian 12 names): ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get update"
apt-get update -q
echo "install-deps: apt-get install ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}"

# Check again: a package that installed but did not provide what we look for is an error.
ZXVM_DEPS_RECHECK=1 exec bash "$0" "${sets[@]}"
