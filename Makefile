# zxvm — the commands people type. CMake does the building; this file only names the builds.
#
#   make run            dependencies, dev build, then `build/zxvm demo`
#   make test           dependencies, dev build, every test (ctest)
#   make sanitize       ASan + UBSan build (build-asan), every test
#   make tsan           ThreadSanitizer build (build-tsan, clang-19), tests labelled `concurrency`
#   make tsa            clang-19 -Wthread-safety -Werror build of everything (build-tsa)
#   make format-check   clang-format-19 --dry-run --Werror on every tracked .c/.h
#   make format         clang-format-19 in place, same files
#   make bench          Release build (build-release), every benchmark, results table
#   make check-exports  only zx_* / zxvm_* exported, same list from libzxvm.a and libzxvm.so
#   make install-check  install build-release to a temp prefix, build examples/ via pkg-config
#   make deps [DEPS=base|tsan|tsa|format|all]   check for (as root: install) the tools
#   make clean          remove every build directory
#
# Variables: JOBS (parallel compile jobs, default 2), CMAKE_ARGS (extra configure arguments).

.NOTPARALLEL:
.DEFAULT_GOAL := build
SHELL := /bin/bash

JOBS ?= 2
DEPS ?= base
CMAKE ?= cmake
CTEST ?= ctest
CLANG ?= clang-19
CLANG_FORMAT ?= clang-format-19
CMAKE_ARGS ?=

BUILD := build
BUILD_ASAN := build-asan
BUILD_TSAN := build-tsan
BUILD_TSA := build-tsa
BUILD_RELEASE := build-release

DEV_FLAGS := -DZXVM_TESTING=ON -DZXVM_DEBUG=ON
CTEST_FLAGS := --output-on-failure -j$(JOBS)

# Sanitizer runtimes: stop at the first report, with a stack.
export ASAN_OPTIONS ?= abort_on_error=0:halt_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS ?= halt_on_error=1:second_deadlock_stack=1

FORMAT_DIRS := src include tests bench tools examples

# configure DIR, ARGS...: (re)configure one build directory.
configure = $(CMAKE) -S . -B $(1) $(2) $(CMAKE_ARGS)
compile = MAKEFLAGS= MAKELEVEL= $(CMAKE) --build $(1) -j$(JOBS)

.PHONY: all deps build run test sanitize tsan tsa format-check format bench check-exports \
        install-check release clean help

all: build

help:
	@sed -n '2,17s/^# \{0,1\}//p' Makefile

deps:
	@tools/install-deps.sh $(DEPS)

# ---- dev build: build/ ----------------------------------------------------------------------
build:
	@tools/install-deps.sh base
	$(call configure,$(BUILD),-DCMAKE_BUILD_TYPE=RelWithDebInfo $(DEV_FLAGS))
	$(call compile,$(BUILD))

run: build
	$(BUILD)/zxvm demo

test: build
	$(CTEST) --test-dir $(BUILD) $(CTEST_FLAGS) --no-tests=error

# ---- sanitizers -------------------------------------------------------------------------------
sanitize:
	@tools/install-deps.sh base
	$(call configure,$(BUILD_ASAN),-DCMAKE_BUILD_TYPE=RelWithDebInfo -DZXVM_SANITIZE=ON $(DEV_FLAGS))
	$(call compile,$(BUILD_ASAN))
	$(CTEST) --test-dir $(BUILD_ASAN) $(CTEST_FLAGS) --no-tests=error

# ThreadSanitizer with clang-19: its runtime copes with the high mmap randomization of recent
# kernels (gcc 12's libtsan aborts there with "unexpected memory mapping").
tsan:
	@tools/install-deps.sh tsan
	CC=$(CLANG) $(call configure,$(BUILD_TSAN),-DCMAKE_C_COMPILER=$(CLANG) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZXVM_TSAN=ON $(DEV_FLAGS))
	$(call compile,$(BUILD_TSAN))
	@n=$$($(CTEST) --test-dir $(BUILD_TSAN) -N -L concurrency | sed -n 's/^Total Tests: *//p'); \
	if [ "$${n:-0}" -eq 0 ]; then \
	  echo "tsan: 0 tests labelled 'concurrency' exist yet; build checked, nothing to run"; \
	else \
	  echo "tsan: running $$n tests labelled 'concurrency'"; \
	  $(CTEST) --test-dir $(BUILD_TSAN) $(CTEST_FLAGS) -L concurrency; \
	fi

# Clang's capability analysis over everything (library, tests, tools, benchmarks), as errors.
tsa:
	@tools/install-deps.sh tsa
	CC=$(CLANG) $(call configure,$(BUILD_TSA),-DCMAKE_C_COMPILER=$(CLANG) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZXVM_THREAD_SAFETY=ON -DZXVM_WERROR=ON $(DEV_FLAGS))
	$(call compile,$(BUILD_TSA))

# ---- formatting -------------------------------------------------------------------------------
# Tracked files when this is a git checkout, otherwise every file on disk; NUL-separated.
format_files = { if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git ls-files -z -- $(FORMAT_DIRS); \
	else \
	  find $(FORMAT_DIRS) -type f -print0 2>/dev/null; \
	fi; } | while IFS= read -r -d '' f; do \
	  case "$$f" in *.c|*.h) [ -f "$$f" ] && printf '%s\0' "$$f";; esac; \
	done

format-check:
	@tools/install-deps.sh format
	@n=$$($(format_files) | tr -cd '\0' | wc -c); \
	echo "format-check: $$n files"; \
	if $(format_files) | xargs -0 -r $(CLANG_FORMAT) --dry-run --Werror; then \
	  echo "format-check: OK"; \
	else \
	  echo "format-check: these files need formatting (make format):"; \
	  $(format_files) | while IFS= read -r -d '' f; do \
	    $(CLANG_FORMAT) --dry-run --Werror "$$f" >/dev/null 2>&1 || echo "  $$f"; \
	  done; \
	  exit 1; \
	fi

format:
	@tools/install-deps.sh format
	$(format_files) | xargs -0 -r $(CLANG_FORMAT) -i

# ---- release build: benchmarks, exports, installation -----------------------------------------
release:
	@tools/install-deps.sh base
	$(call configure,$(BUILD_RELEASE),-DCMAKE_BUILD_TYPE=Release -DZXVM_TESTING=OFF \
	  -DZXVM_DEBUG=OFF -DZXVM_BUILD_TESTS=OFF)
	$(call compile,$(BUILD_RELEASE))

BENCH_JSON := $(CURDIR)/$(BUILD)/bench-results.jsonl

bench: release
	@mkdir -p $(BUILD) && : >$(BENCH_JSON)
	@found=0; for b in $(BUILD_RELEASE)/bench/*_bench; do \
	  [ -f "$$b" ] && [ -x "$$b" ] || continue; \
	  found=$$((found + 1)); \
	  echo "== $$b"; \
	  ZXVM_BENCH_JSON=$(BENCH_JSON) "$$b" || exit 1; \
	done; \
	if [ $$found -eq 0 ]; then echo "bench: no benchmarks built yet ($(BUILD_RELEASE)/bench/*_bench)"; \
	else echo "bench: $$found benchmarks, results in $(BENCH_JSON)"; fi
	@tools/bench-table.sh $(BENCH_JSON)

check-exports: release
	tools/check-exports.sh $(BUILD_RELEASE)

install-check: release
	@set -euo pipefail; \
	prefix=$$(mktemp -d "$${TMPDIR:-/tmp}/zxvm-install.XXXXXX"); \
	trap 'rm -rf "$$prefix"' EXIT; \
	$(CMAKE) --install $(BUILD_RELEASE) --prefix "$$prefix" >/dev/null; \
	pc=$$(dirname "$$(find "$$prefix" -name zxvm.pc | head -n1)"); \
	export PKG_CONFIG_PATH="$$pc"; \
	cc=$${CC:-cc}; warn="-std=c11 -Wall -Wextra -Werror -pedantic"; \
	echo "install-check: prefix $$prefix"; \
	echo "install-check: cflags: $$(pkg-config --cflags zxvm)"; \
	echo "install-check: libs:   $$(pkg-config --libs zxvm)"; \
	libdir=$$(pkg-config --variable=libdir zxvm); \
	$$cc $$warn examples/pkgconfig_smoke.c -o "$$prefix/smoke-shared" \
	  $$(pkg-config --cflags --libs zxvm); \
	LD_LIBRARY_PATH="$$libdir" "$$prefix/smoke-shared"; \
	$$cc $$warn examples/pkgconfig_smoke.c -o "$$prefix/smoke-static" \
	  $$(pkg-config --cflags zxvm) \
	  $$(pkg-config --static --libs zxvm | sed 's/-lzxvm\b/-l:libzxvm.a/'); \
	if readelf -d "$$prefix/smoke-static" | grep -q 'libzxvm\.so'; then \
	  echo "install-check: static build links libzxvm.so" >&2; exit 1; fi; \
	"$$prefix/smoke-static"; \
	echo "install-check: OK (shared and static)"

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_TSAN) $(BUILD_TSA) $(BUILD_RELEASE)
