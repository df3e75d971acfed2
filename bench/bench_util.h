// Shared reporting for zxvm benchmarks (header-only; benchmarks may use libc).
//
// Output contract: every figure prints one row
//   name  zxvm  baseline  ratio  target  met
// on stdout and appends one JSON object per line, with keys name, unit, zxvm, baseline, ratio,
// target, met, to the file named by $ZXVM_BENCH_JSON (default build/bench-results.jsonl).
// ratio = zxvm / baseline; a figure meets its target when ratio >= target (higher is better) or
// ratio <= target (lower is better).
#ifndef ZXVM_BENCH_BENCH_UTIL_H_
#define ZXVM_BENCH_BENCH_UTIL_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_JSON_DEFAULT "build/bench-results.jsonl"

static inline int64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// Prints the column header once per benchmark program.
static inline void bench_header(const char* program) {
  printf("# %s\n%-36s %14s %14s %8s %8s %4s\n", program, "name", "zxvm", "baseline", "ratio",
         "target", "met");
}

// Reports one figure: prints its row and appends its JSON line. |unit| names the unit of |zxvm|
// and |baseline| (e.g. "ops/s", "bytes"). Returns whether the target was met.
static inline bool bench_report(const char* name, const char* unit, double zxvm, double baseline,
                                double target_ratio, bool higher_is_better) {
  double ratio = baseline != 0 ? zxvm / baseline : 0;
  bool met = higher_is_better ? ratio >= target_ratio : ratio <= target_ratio;
  printf("%-36s %14.6g %14.6g %8.3f %8.3f %4s   (%s, %s is better)\n", name, zxvm, baseline, ratio,
         target_ratio, met ? "yes" : "NO", unit, higher_is_better ? "higher" : "lower");
  fflush(stdout);
  const char* path = getenv("ZXVM_BENCH_JSON");
  if (path == NULL || *path == '\0') path = BENCH_JSON_DEFAULT;
  FILE* f = fopen(path, "a");
  if (f == NULL) {
    fprintf(stderr, "bench: cannot append to %s\n", path);
    return met;
  }
  fprintf(f,
          "{\"name\": \"%s\", \"unit\": \"%s\", \"zxvm\": %.6g, \"baseline\": %.6g, "
          "\"ratio\": %.4f, \"target\": %.4f, \"met\": %s}\n",
          name, unit, zxvm, baseline, ratio, target_ratio, met ? "true" : "false");
  fclose(f);
  return met;
}

#endif  // ZXVM_BENCH_BENCH_UTIL_H_
