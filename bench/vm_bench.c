// Mapping-layer benchmarks through the public API, side by side with the Linux kernel doing the
// same job in the same run:
//   - zx_vmar_map + zx_vmar_unmap of one page vs mmap + munmap of 4 KiB anonymous memory;
//   - zx_vmar_protect of one page inside a mapping (split, then merge back) vs mprotect;
//   - both again with N = 10, 1000, 10000, 60000 other mappings in the address space (Linux: N
//     extra VMAs from alternating protections), the scaling curve;
//   - first write per page (a write fault that commits a page) through the soft MMU's simulated
//     CPU vs Linux's anonymous write fault; first read per page (maps the zero page) likewise.
// Times are medians of several repetitions. The soft backend is used (ZXVM_BACKEND=soft).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zircon/process.h>
#include <zircon/syscalls.h>
#include <zxvm/zxvm.h>

#include "bench_util.h"

#define PAGE 4096ul
#define REPS 5

static int cmp_double(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static double median(double* v, int n) {
  qsort(v, n, sizeof(double), cmp_double);
  return v[n / 2];
}

static void check(zx_status_t s, const char* what) {
  if (s != ZX_OK) {
    fprintf(stderr, "vm_bench: %s failed: %d\n", what, s);
    exit(1);
  }
}

// ---- map/unmap and protect with N other mappings ----------------------------------------------

struct zx_env {
  zx_handle_t vmar;  // a sub-VMAR holding the filler mappings and the measured ones
  zx_vaddr_t base;
  zx_handle_t vmo;
};

static void zx_env_init(struct zx_env* e, size_t fillers) {
  size_t span = (fillers * 2 + 64) * PAGE;
  zx_vaddr_t addr;
  check(zx_vmar_allocate(zx_vmar_root_self(),
                         ZX_VM_CAN_MAP_READ | ZX_VM_CAN_MAP_WRITE | ZX_VM_CAN_MAP_SPECIFIC, 0, span,
                         &e->vmar, &addr),
        "vmar_allocate");
  e->base = addr;
  check(zx_vmo_create(16 * PAGE, 0, &e->vmo), "vmo_create");
  for (size_t i = 0; i < fillers; i++) {
    zx_vaddr_t out;
    check(zx_vmar_map(e->vmar, ZX_VM_PERM_READ | ZX_VM_SPECIFIC, (64 + 2 * i) * PAGE, e->vmo, 0,
                      PAGE, &out),
          "filler map");
  }
}

static void zx_env_fini(struct zx_env* e) {
  check(zx_vmar_destroy(e->vmar), "vmar_destroy");
  zx_handle_close(e->vmar);
  zx_handle_close(e->vmo);
}

static double zx_map_unmap_ns(struct zx_env* e, int iters) {
  double v[REPS];
  for (int r = 0; r < REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < iters; i++) {
      zx_vaddr_t addr;
      check(zx_vmar_map(e->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, e->vmo, 0, PAGE, &addr),
            "map");
      check(zx_vmar_unmap(e->vmar, addr, PAGE), "unmap");
    }
    v[r] = (double)(bench_now_ns() - t0) / iters;
  }
  return median(v, REPS);
}

static double zx_protect_ns(struct zx_env* e, int iters) {
  zx_vaddr_t addr;
  check(zx_vmar_map(e->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC, 0, e->vmo, 0,
                    3 * PAGE, &addr),
        "map 3");
  double v[REPS];
  for (int r = 0; r < REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < iters; i++) {
      uint32_t p = (i & 1) ? ZX_VM_PERM_READ | ZX_VM_PERM_WRITE : ZX_VM_PERM_READ;
      check(zx_vmar_protect(e->vmar, p, addr + PAGE, PAGE), "protect");
    }
    v[r] = (double)(bench_now_ns() - t0) / iters;
  }
  check(zx_vmar_unmap(e->vmar, addr, 3 * PAGE), "unmap 3");
  return median(v, REPS);
}

struct linux_env {
  char* base;
  size_t span;
};

static void linux_env_init(struct linux_env* e, size_t fillers) {
  e->span = (fillers * 2 + 64) * PAGE;
  e->base = mmap(NULL, e->span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (e->base == MAP_FAILED) exit(1);
  // Alternate protections so neighbouring VMAs never merge: each read-only page and the gap
  // after it are two VMAs, so |fillers| / 2 pages give |fillers| extra VMAs (Linux caps a process
  // at vm.max_map_count = 65530).
  for (size_t i = 0; i < fillers / 2; i++) {
    if (mprotect(e->base + (64 + 2 * i) * PAGE, PAGE, PROT_READ) != 0) {
      perror("vm_bench: mprotect filler");
      exit(1);
    }
  }
}

static double linux_map_unmap_ns(int iters) {
  double v[REPS];
  for (int r = 0; r < REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < iters; i++) {
      void* p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      munmap(p, PAGE);
    }
    v[r] = (double)(bench_now_ns() - t0) / iters;
  }
  return median(v, REPS);
}

static double linux_protect_ns(struct linux_env* e, int iters) {
  char* p = e->base;  // the first 64 pages are free of fillers
  mprotect(p, 3 * PAGE, PROT_READ | PROT_WRITE);
  double v[REPS];
  for (int r = 0; r < REPS; r++) {
    int64_t t0 = bench_now_ns();
    for (int i = 0; i < iters; i++) {
      mprotect(p + PAGE, PAGE, (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ);
    }
    v[r] = (double)(bench_now_ns() - t0) / iters;
  }
  mprotect(p, 3 * PAGE, PROT_NONE);
  return median(v, REPS);
}

static void scaling(void) {
  static const size_t ns[] = {10, 1000, 10000, 60000};
  for (size_t k = 0; k < sizeof(ns) / sizeof(ns[0]); k++) {
    struct zx_env ze;
    struct linux_env le;
    zx_env_init(&ze, ns[k]);
    linux_env_init(&le, ns[k]);
    char name[64];
    snprintf(name, sizeof(name), "map+unmap 1 page, %zu maps", ns[k]);
    bench_report(name, "ns/op", zx_map_unmap_ns(&ze, 2000), linux_map_unmap_ns(2000), 1.0, false);
    snprintf(name, sizeof(name), "protect 1 page, %zu maps", ns[k]);
    bench_report(name, "ns/op", zx_protect_ns(&ze, 2000), linux_protect_ns(&le, 2000), 1.0, false);
    zx_env_fini(&ze);
    munmap(le.base, le.span);
  }
}

// ---- first touch
// ---------------------------------------------------------------------------------

static double zx_first_touch_ns(size_t pages, bool write) {
  double v[REPS];
  for (int r = 0; r < REPS; r++) {
    zx_handle_t vmo;
    zx_vaddr_t addr;
    check(zx_vmo_create(pages * PAGE, 0, &vmo), "vmo_create");
    check(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                      pages * PAGE, &addr),
          "map");
    uint8_t b = 1;
    int64_t t0 = bench_now_ns();
    for (size_t i = 0; i < pages; i++) {
      zx_status_t s = write ? zxvm_user_write(zx_process_self(), addr + i * PAGE, &b, 1)
                            : zxvm_user_read(zx_process_self(), addr + i * PAGE, &b, 1);
      check(s, "touch");
    }
    v[r] = (double)(bench_now_ns() - t0) / pages;
    check(zx_vmar_unmap(zx_vmar_root_self(), addr, pages * PAGE), "unmap");
    zx_handle_close(vmo);
  }
  return median(v, REPS);
}

static double linux_first_touch_ns(size_t pages, bool write) {
  double v[REPS];
  for (int r = 0; r < REPS; r++) {
    volatile char* p =
        mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    madvise((void*)p, pages * PAGE, MADV_NOHUGEPAGE);
    int64_t t0 = bench_now_ns();
    char sink = 0;
    for (size_t i = 0; i < pages; i++) {
      if (write) {
        p[i * PAGE] = 1;
      } else {
        sink += p[i * PAGE];
      }
    }
    v[r] = (double)(bench_now_ns() - t0) / pages;
    (void)sink;
    munmap((void*)p, pages * PAGE);
  }
  return median(v, REPS);
}

int main(void) {
  zxvm_config_t cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.backend = ZXVM_BACKEND_SOFT;
  cfg.phys_mem_bytes = 2ull << 30;
  check(zxvm_init(&cfg), "zxvm_init");
  bench_header("vm_bench (mapping layer, public API, soft backend)");
  size_t pages = 65536;  // 256 MiB
  bench_report("first write per page (fault)", "ns/page", zx_first_touch_ns(pages, true),
               linux_first_touch_ns(pages, true), 1.0, false);
  bench_report("first read per page (zero page)", "ns/page", zx_first_touch_ns(pages, false),
               linux_first_touch_ns(pages, false), 1.0, false);
  scaling();
  return 0;
}
