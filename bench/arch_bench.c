// Page-table layer (soft backend) costs, side by side with what Linux charges for the nearest
// operation in the same run:
//  - map + unmap of 1 page and of 16 pages (tables already present, as in a busy address space;
//    and the 1-page case with its page table created and freed each time) against mmap + munmap
//    of 4 KiB / 64 KiB of anonymous memory;
//  - protect of one page (R <-> RW) against mprotect of a 1-page mapping;
//  - one simulated access (arch_soft_translate: lock, 4-level walk, accessed bit) per page
//    against a plain load from each page of a pre-faulted buffer.
// Every figure is nanoseconds per operation, the median of REPS runs; lower is better.
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "arch/arch_aspace.h"
#include "bench_util.h"
#include "pmm/pmm.h"

#define REPS 5
#define ITERS 200000
#define TRANSLATE_PAGES 4096  // 16 MiB of mappings walked per pass
#define TRANSLATE_PASSES 50
#define FAKE_PA ((paddr_t)0x40000000000ull)
#define RW (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_WRITE | ARCH_MMU_FLAG_PERM_USER)
#define RO (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_USER)

static void check(zx_status_t status, const char* what) {
  if (status != ZX_OK) {
    fprintf(stderr, "arch_bench: %s failed: %d\n", what, status);
    exit(1);
  }
}

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

typedef double (*bench_fn)(void* arg);

// Median over REPS runs of |fn|, which returns ns per operation.
static double median_of(bench_fn fn, void* arg) {
  double v[REPS];
  for (int i = 0; i < REPS; i++) v[i] = fn(arg);
  qsort(v, REPS, sizeof(double), cmp_double);
  return v[REPS / 2];
}

static struct arch_aspace* aspace;

// ---- zxvm ----

struct map_arg {
  size_t pages;
  bool keep_table;  // an anchor page keeps the page table alive between iterations
};

static double zx_map_unmap(void* p) {
  const struct map_arg* arg = p;
  const vaddr_t va = (vaddr_t)1 << 30;
  paddr_t pages[16];
  for (size_t i = 0; i < arg->pages; i++) pages[i] = FAKE_PA + i * PAGE_SIZE;
  if (arg->keep_table) {
    check(arch_aspace_map_contiguous(aspace, va + 64 * PAGE_SIZE, FAKE_PA, 1, RO, NULL), "anchor");
  }
  int64_t t0 = bench_now_ns();
  for (int i = 0; i < ITERS; i++) {
    check(arch_aspace_map(aspace, va, pages, arg->pages, RW, ARCH_EXISTING_ENTRY_ERROR, NULL),
          "map");
    check(arch_aspace_unmap(aspace, va, arg->pages, ARCH_UNMAP_OPTION_NONE, NULL), "unmap");
  }
  int64_t t1 = bench_now_ns();
  if (arg->keep_table) check(arch_aspace_unmap(aspace, va + 64 * PAGE_SIZE, 1, 0, NULL), "unmap");
  return (double)(t1 - t0) / ITERS;
}

static double zx_protect(void* unused) {
  const vaddr_t va = (vaddr_t)2 << 30;
  check(arch_aspace_map_contiguous(aspace, va, FAKE_PA, 1, RW, NULL), "map");
  int64_t t0 = bench_now_ns();
  for (int i = 0; i < ITERS; i++) {
    check(arch_aspace_protect(aspace, va, 1, (i & 1) ? RW : RO, 0), "protect");
  }
  int64_t t1 = bench_now_ns();
  check(arch_aspace_unmap(aspace, va, 1, 0, NULL), "unmap");
  return (double)(t1 - t0) / ITERS;
}

static double zx_translate(void* unused) {
  const vaddr_t va = (vaddr_t)3 << 30;
  check(arch_aspace_map_contiguous(aspace, va, FAKE_PA, TRANSLATE_PAGES, RW, NULL), "map");
  paddr_t sum = 0;
  int64_t t0 = bench_now_ns();
  for (int pass = 0; pass < TRANSLATE_PASSES; pass++) {
    for (size_t i = 0; i < TRANSLATE_PAGES; i++) {
      paddr_t pa;
      uint32_t pf;
      check(arch_soft_translate(aspace, va + i * PAGE_SIZE + 8, ARCH_ACCESS_READ | ARCH_ACCESS_USER,
                                &pa, &pf),
            "translate");
      sum += pa;
    }
  }
  int64_t t1 = bench_now_ns();
  __asm__ volatile("" : : "g"(sum));
  check(arch_aspace_unmap(aspace, va, TRANSLATE_PAGES, 0, NULL), "unmap");
  return (double)(t1 - t0) / ((double)TRANSLATE_PASSES * TRANSLATE_PAGES);
}

// ---- Linux ----

static double linux_mmap_munmap(void* p) {
  size_t len = *(const size_t*)p * PAGE_SIZE;
  int64_t t0 = bench_now_ns();
  for (int i = 0; i < ITERS; i++) {
    void* m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) abort();
    munmap(m, len);
  }
  return (double)(bench_now_ns() - t0) / ITERS;
}

static double linux_mprotect(void* unused) {
  char* m = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) abort();
  m[0] = 1;  // a present PTE, as in the zxvm case
  int64_t t0 = bench_now_ns();
  for (int i = 0; i < ITERS; i++) {
    mprotect(m, PAGE_SIZE, (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ);
  }
  int64_t t1 = bench_now_ns();
  munmap(m, PAGE_SIZE);
  return (double)(t1 - t0) / ITERS;
}

static double linux_load(void* unused) {
  size_t len = (size_t)TRANSLATE_PAGES * PAGE_SIZE;
  volatile char* m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) abort();
  for (size_t i = 0; i < TRANSLATE_PAGES; i++) m[i * PAGE_SIZE + 8] = (char)i;
  unsigned sum = 0;
  int64_t t0 = bench_now_ns();
  for (int pass = 0; pass < TRANSLATE_PASSES; pass++) {
    for (size_t i = 0; i < TRANSLATE_PAGES; i++) sum += (unsigned char)m[i * PAGE_SIZE + 8];
  }
  int64_t t1 = bench_now_ns();
  __asm__ volatile("" : : "g"(sum));
  munmap((void*)m, len);
  return (double)(t1 - t0) / ((double)TRANSLATE_PASSES * TRANSLATE_PAGES);
}

int main(void) {
  if (pmm_init(64u << 20) != ZX_OK) {
    fprintf(stderr, "arch_bench: pmm_init failed\n");
    return 1;
  }
  check(arch_aspace_create(ARCH_BACKEND_SOFT, 0, (size_t)1 << 47, ARCH_ASPACE_FLAG_USER, &aspace),
        "create");
  bench_header("arch_bench (ns per operation)");

  size_t one = 1, sixteen = 16;
  struct map_arg warm1 = {1, true}, cold1 = {1, false}, warm16 = {16, true};
  double base1 = median_of(linux_mmap_munmap, &one);
  bench_report("map+unmap 1 page vs mmap+munmap 4K", "ns", median_of(zx_map_unmap, &warm1), base1,
               1.0, false);
  bench_report("map+unmap 1 page, new PT vs same", "ns", median_of(zx_map_unmap, &cold1), base1,
               1.0, false);
  bench_report("map+unmap 16 pages vs mmap+munmap 64K", "ns", median_of(zx_map_unmap, &warm16),
               median_of(linux_mmap_munmap, &sixteen), 1.0, false);
  bench_report("protect 1 page vs mprotect", "ns", median_of(zx_protect, NULL),
               median_of(linux_mprotect, NULL), 1.0, false);
  // A simulated access is a locked 4-level walk; a real load is one cached access.
  bench_report("translate per page vs load", "ns", median_of(zx_translate, NULL),
               median_of(linux_load, NULL), 50.0, false);

  arch_aspace_destroy(aspace);
  pmm_shutdown();
  return 0;
}
