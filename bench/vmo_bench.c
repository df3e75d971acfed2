// Paged VMO throughput, side by side with its bounds in the same run:
//  - commit of 1 GiB (pages/s) against memset-zero of as many pages in a plain, pre-faulted
//    buffer (the bound: commit must zero every page) and against Linux mmap(MAP_POPULATE) of
//    1 GiB anonymous memory;
//  - VMO write and read bandwidth with 4 KiB and 1 MiB transfers against memcpy of the same sizes
//    between plain buffers.
// Every figure is the median of REPS runs. Uses internal headers (zxvm_vm): it measures the VM
// core itself, below the zx_ layer.
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench_util.h"
#include "pmm/pmm.h"
#include "vm/vm_object_paged.h"

#define REPS 5
#define GIB ((uint64_t)1 << 30)
#define MIB ((uint64_t)1 << 20)
#define COMMIT_BYTES GIB
#define RW_REGION (64 * MIB)  // VMO / buffer region the transfers sweep over
#define RW_TOTAL (512 * MIB)  // bytes moved per measured run

static void check(zx_status_t status, const char* what) {
  if (status != ZX_OK) {
    fprintf(stderr, "vmo_bench: %s failed: %d\n", what, status);
    exit(1);
  }
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static double median(double* v, int n) {
  qsort(v, (size_t)n, sizeof(double), cmp_double);
  return v[n / 2];
}

// Keeps the compiler from dropping buffer writes nobody reads.
static void escape(void* p) { __asm__ volatile("" : : "g"(p) : "memory"); }

// ---- commit ----

static double commit_pages_per_s(void) {
  struct vm_object_paged* vmo;
  check(vm_object_paged_create(0, COMMIT_BYTES, &vmo), "create");
  // Warm-up: the arena's host pages get faulted in once, as the plain buffer below is.
  check(vm_object_paged_commit_range(vmo, 0, COMMIT_BYTES), "commit");
  check(vm_object_paged_decommit_range(vmo, 0, COMMIT_BYTES), "decommit");
  double rates[REPS];
  for (int r = 0; r < REPS; r++) {
    int64_t t0 = bench_now_ns();
    check(vm_object_paged_commit_range(vmo, 0, COMMIT_BYTES), "commit");
    int64_t t1 = bench_now_ns();
    rates[r] = (double)(COMMIT_BYTES / PAGE_SIZE) * 1e9 / (double)(t1 - t0);
    check(vm_object_paged_decommit_range(vmo, 0, COMMIT_BYTES), "decommit");
  }
  vm_object_paged_release(vmo);
  return median(rates, REPS);
}

static double memset_pages_per_s(void) {
  uint8_t* buf = aligned_alloc(PAGE_SIZE, COMMIT_BYTES);
  if (!buf) exit(1);
  memset(buf, 1, COMMIT_BYTES);  // fault it in
  double rates[REPS];
  for (int r = 0; r < REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (uint64_t off = 0; off < COMMIT_BYTES; off += PAGE_SIZE) memset(buf + off, 0, PAGE_SIZE);
    escape(buf);
    int64_t t1 = bench_now_ns();
    rates[r] = (double)(COMMIT_BYTES / PAGE_SIZE) * 1e9 / (double)(t1 - t0);
  }
  free(buf);
  return median(rates, REPS);
}

static double mmap_populate_pages_per_s(void) {
  double rates[REPS];
  for (int r = 0; r < REPS; r++) {
    int64_t t0 = bench_now_ns();
    void* p = mmap(NULL, COMMIT_BYTES, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    int64_t t1 = bench_now_ns();
    if (p == MAP_FAILED) exit(1);
    rates[r] = (double)(COMMIT_BYTES / PAGE_SIZE) * 1e9 / (double)(t1 - t0);
    munmap(p, COMMIT_BYTES);
  }
  return median(rates, REPS);
}

// ---- read / write ----

enum rw_kind { RW_VMO_WRITE, RW_VMO_READ, RW_MEMCPY_IN, RW_MEMCPY_OUT };

// Bytes/s moving RW_TOTAL bytes in |chunk|-byte transfers over the region, cycling.
static double rw_bytes_per_s(enum rw_kind kind, struct vm_object_paged* vmo, uint8_t* plain,
                             uint8_t* user, uint64_t chunk) {
  double rates[REPS];
  for (int r = 0; r < REPS; r++) {
    uint64_t off = 0;
    int64_t t0 = bench_now_ns();
    for (uint64_t done = 0; done < RW_TOTAL; done += chunk) {
      switch (kind) {
        case RW_VMO_WRITE:
          check(vm_object_paged_write(vmo, user + (off % (2 * MIB)), off, chunk), "write");
          break;
        case RW_VMO_READ:
          check(vm_object_paged_read(vmo, user + (off % (2 * MIB)), off, chunk), "read");
          break;
        case RW_MEMCPY_IN:
          memcpy(plain + off, user + (off % (2 * MIB)), chunk);
          break;
        case RW_MEMCPY_OUT:
          memcpy(user + (off % (2 * MIB)), plain + off, chunk);
          break;
      }
      off += chunk;
      if (off >= RW_REGION) off = 0;
    }
    escape(plain);
    escape(user);
    int64_t t1 = bench_now_ns();
    rates[r] = (double)RW_TOTAL * 1e9 / (double)(t1 - t0);
  }
  return median(rates, REPS);
}

static void bench_rw(void) {
  struct vm_object_paged* vmo;
  check(vm_object_paged_create(0, RW_REGION, &vmo), "create");
  uint8_t* plain = aligned_alloc(PAGE_SIZE, RW_REGION);
  uint8_t* user = aligned_alloc(PAGE_SIZE, 3 * MIB);
  if (!plain || !user) exit(1);
  memset(plain, 1, RW_REGION);
  memset(user, 2, 3 * MIB);
  // Steady state: pages committed once by a first write sweep.
  check(vm_object_paged_write(vmo, plain, 0, RW_REGION), "write");
  const uint64_t chunks[] = {4096, MIB};
  const char* names[][2] = {{"vmo_write_4KiB_vs_memcpy", "vmo_read_4KiB_vs_memcpy"},
                            {"vmo_write_1MiB_vs_memcpy", "vmo_read_1MiB_vs_memcpy"}};
  const double targets[] = {0.5, 0.7};
  for (int i = 0; i < 2; i++) {
    double w = rw_bytes_per_s(RW_VMO_WRITE, vmo, plain, user, chunks[i]);
    double wb = rw_bytes_per_s(RW_MEMCPY_IN, vmo, plain, user, chunks[i]);
    bench_report(names[i][0], "bytes/s", w, wb, targets[i], true);
    double rd = rw_bytes_per_s(RW_VMO_READ, vmo, plain, user, chunks[i]);
    double rb = rw_bytes_per_s(RW_MEMCPY_OUT, vmo, plain, user, chunks[i]);
    bench_report(names[i][1], "bytes/s", rd, rb, targets[i], true);
  }
  free(plain);
  free(user);
  vm_object_paged_release(vmo);
}

int main(void) {
  check(pmm_init(COMMIT_BYTES + 256 * MIB), "pmm_init");
  bench_header("vmo_bench");
  double commit = commit_pages_per_s();
  double bound = memset_pages_per_s();
  double populate = mmap_populate_pages_per_s();
  bench_report("vmo_commit_1GiB_vs_memset", "pages/s", commit, bound, 0.7, true);
  bench_report("vmo_commit_1GiB_vs_mmap_populate", "pages/s", commit, populate, 1.0, true);
  bench_rw();
  pmm_shutdown();
  return 0;
}
