// User pager, side by side with Linux in the same run:
//  - fault-to-resume round trip: a read fault on a pager-backed VMO that sends a one-page READ
//    request to a pager thread, which supplies the page (moved from an auxiliary VMO it filled
//    from memory) and the fault resumes; against a cold major fault on a file mapping (page cache
//    dropped with POSIX_FADV_DONTNEED, MADV_RANDOM so each fault reads exactly one page);
//  - sequential read throughput of a 64 MiB pager-backed VMO: with vm_object_paged_read in CHUNK
//    pieces (a VMO read asks for the rest of its range, so each request covers up to CHUNK; the
//    pager supplies exactly what is asked, no read-ahead), and through a mapping in ascending and
//    in descending page order (a fault asks for its own page only, as Zircon's mapped faults do, so
//    every request is one page); against pread of a 64 MiB file through Linux's page cache, cold
//    (after DONTNEED) and warm.
// Every figure is the median of REPS runs. Uses internal headers (zxvm_vm): it measures the VM
// core below the zx_ layer, on the soft MMU (simulated CPU accesses).
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench_util.h"
#include "pmm/pmm.h"
#include "vm/vm_aspace.h"
#include "vm/vm_pager.h"

#define REPS 5
#define MIB ((uint64_t)1 << 20)
#define RT_PAGES 2048u       // faults per round-trip run
#define TP_BYTES (64 * MIB)  // bytes per throughput run
#define CHUNK (256 * 1024)   // bytes per read call
#define AUX_BYTES CHUNK      // the pager's auxiliary VMO, reused for every supply
#define RO (ARCH_MMU_FLAG_PERM_READ | ARCH_MMU_FLAG_PERM_USER)

static void check(zx_status_t status, const char* what) {
  if (status != ZX_OK) {
    fprintf(stderr, "pager_bench: %s failed: %d\n", what, status);
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

// ---- the pager: a thread answering READ packets from an in-memory "file" ---------------------

struct pager {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  zx_port_packet_t queue[1024];
  unsigned head, count;
  bool stop;
  pthread_t thread;
  struct vm_object_paged* vmo;  // the pager-backed VMO being served
  struct vm_object_paged* aux;  // reused for every supply
  const uint8_t* data;          // the file contents
};

static void pager_send(void* ctx, const zx_port_packet_t* packet) {
  struct pager* p = ctx;
  pthread_mutex_lock(&p->mu);
  if (p->count == 1024) {
    fprintf(stderr, "pager_bench: packet queue overflow\n");
    exit(1);
  }
  p->queue[(p->head + p->count++) % 1024] = *packet;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

static void* pager_main(void* arg) {
  struct pager* p = arg;
  for (;;) {
    pthread_mutex_lock(&p->mu);
    while (p->count == 0 && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
    if (p->count == 0) {
      pthread_mutex_unlock(&p->mu);
      return NULL;
    }
    zx_port_packet_t pkt = p->queue[p->head];
    p->head = (p->head + 1) % 1024;
    p->count--;
    pthread_mutex_unlock(&p->mu);
    if (pkt.page_request.command != ZX_PAGER_VMO_READ) continue;
    // Requests have no size cap: supply in pieces of the auxiliary VMO's size.
    uint64_t off = pkt.page_request.offset, end = off + pkt.page_request.length;
    for (uint64_t at = off; at < end; at += AUX_BYTES) {
      uint64_t len = end - at < AUX_BYTES ? end - at : AUX_BYTES;
      check(vm_object_paged_write(p->aux, p->data + at, 0, len), "aux write");
      check(vm_pager_supply_pages(p->vmo, at, len, p->aux, 0), "supply");
    }
  }
}

struct session {
  struct pager pager;
  struct page_source* src;
  struct vm_aspace* aspace;
  struct vm_address_region* root;
  struct vm_mapping* mapping;
  vaddr_t base;
};

static void session_start(struct session* s, uint64_t bytes, const uint8_t* data) {
  memset(s, 0, sizeof(*s));
  pthread_mutex_init(&s->pager.mu, NULL);
  pthread_cond_init(&s->pager.cv, NULL);
  s->pager.data = data;
  check(page_source_create(0, 1, pager_send, &s->pager, &s->src), "page source");
  check(vm_pager_create_vmo(0, bytes, s->src, &s->pager.vmo), "pager vmo");
  check(vm_object_paged_create(0, AUX_BYTES, &s->pager.aux), "aux");
  check(vm_aspace_create(NULL, "pager_bench", &s->aspace), "aspace");
  s->root = vm_aspace_root_vmar(s->aspace);
  check(vm_address_region_create_vm_mapping(s->root, 0, bytes, 0, 0, &s->pager.vmo->base, 0, RO,
                                            "file", &s->mapping, &s->base),
        "map");
  if (pthread_create(&s->pager.thread, NULL, pager_main, &s->pager) != 0) exit(1);
}

static void session_stop(struct session* s) {
  pthread_mutex_lock(&s->pager.mu);
  s->pager.stop = true;
  pthread_cond_signal(&s->pager.cv);
  pthread_mutex_unlock(&s->pager.mu);
  pthread_join(s->pager.thread, NULL);
  check(vm_address_region_or_mapping_destroy(&s->mapping->common), "unmap");
  vm_address_region_or_mapping_release(&s->mapping->common);
  vm_address_region_or_mapping_release(&s->root->common);
  check(vm_aspace_destroy(s->aspace), "aspace destroy");
  vm_aspace_release(s->aspace);
  vm_object_paged_release(s->pager.aux);
  vm_object_paged_release(s->pager.vmo);
  page_source_release(s->src);
  pthread_cond_destroy(&s->pager.cv);
  pthread_mutex_destroy(&s->pager.mu);
}

// Reads |bytes| of the session's mapping in CHUNK pieces, ascending or (page by page) descending.
static void read_mapping(struct session* s, uint64_t bytes, bool descending, uint8_t* out) {
  if (!descending) {
    for (uint64_t off = 0; off < bytes; off += CHUNK) {
      check(vm_aspace_user_access(s->aspace, s->base + off, out + off, CHUNK, ARCH_ACCESS_READ),
            "read");
    }
    return;
  }
  for (uint64_t page = bytes / PAGE_SIZE; page-- > 0;) {
    check(vm_aspace_user_access(s->aspace, s->base + page * PAGE_SIZE, out + page * PAGE_SIZE,
                                PAGE_SIZE, ARCH_ACCESS_READ),
          "read");
  }
}

// ns per fault, one-page requests (descending order: the absent run after each page is 1 page).
static double pager_round_trip_ns(const uint8_t* data, uint8_t* out) {
  double v[REPS];
  for (int r = 0; r < REPS; r++) {
    struct session s;
    session_start(&s, RT_PAGES * PAGE_SIZE, data);
    int64_t t0 = bench_now_ns();
    read_mapping(&s, RT_PAGES * PAGE_SIZE, true, out);
    int64_t t1 = bench_now_ns();
    v[r] = (double)(t1 - t0) / RT_PAGES;
    if (memcmp(out, data, RT_PAGES * PAGE_SIZE) != 0) {
      fprintf(stderr, "pager_bench: wrong data\n");
      exit(1);
    }
    session_stop(&s);
  }
  return median(v, REPS);
}

// How pager_read_mib_s reads the VMO.
enum read_kind { READ_VMO, READ_MAPPED_ASCENDING, READ_MAPPED_DESCENDING };

// MiB/s reading TP_BYTES through a fresh pager VMO.
static double pager_read_mib_s(const uint8_t* data, uint8_t* out, enum read_kind kind) {
  double v[REPS];
  for (int r = 0; r < REPS; r++) {
    struct session s;
    session_start(&s, TP_BYTES, data);
    int64_t t0 = bench_now_ns();
    if (kind == READ_VMO) {
      for (uint64_t off = 0; off < TP_BYTES; off += CHUNK) {
        check(vm_object_paged_read(s.pager.vmo, out + off, off, CHUNK), "vmo read");
      }
    } else {
      read_mapping(&s, TP_BYTES, kind == READ_MAPPED_DESCENDING, out);
    }
    int64_t t1 = bench_now_ns();
    v[r] = (double)TP_BYTES / MIB * 1e9 / (double)(t1 - t0);
    if (memcmp(out, data, TP_BYTES) != 0) {
      fprintf(stderr, "pager_bench: wrong data\n");
      exit(1);
    }
    session_stop(&s);
  }
  return median(v, REPS);
}

// ---- Linux: a file through the page cache ---------------------------------------------------

static int make_file(const uint8_t* data, uint64_t bytes, char* path) {
  strcpy(path, "/tmp/zxvm_pager_bench_XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) exit(1);
  for (uint64_t off = 0; off < bytes;) {
    ssize_t n = pwrite(fd, data + off, bytes - off, (off_t)off);
    if (n <= 0) exit(1);
    off += (uint64_t)n;
  }
  fsync(fd);
  return fd;
}

static void drop_cache(int fd) {
  fdatasync(fd);
  posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
}

static double linux_cold_fault_ns(int fd, uint64_t pages) {
  double v[REPS];
  for (int r = 0; r < REPS; r++) {
    drop_cache(fd);
    volatile uint8_t* m = mmap(NULL, pages * PAGE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) exit(1);
    madvise((void*)m, pages * PAGE_SIZE, MADV_RANDOM);
    unsigned sum = 0;
    int64_t t0 = bench_now_ns();
    for (uint64_t page = pages; page-- > 0;) sum += m[page * PAGE_SIZE];
    int64_t t1 = bench_now_ns();
    __asm__ volatile("" : : "r"(sum));
    munmap((void*)m, pages * PAGE_SIZE);
    v[r] = (double)(t1 - t0) / (double)pages;
  }
  return median(v, REPS);
}

static double linux_pread_mib_s(int fd, uint8_t* out, bool cold) {
  double v[REPS];
  for (int r = 0; r < REPS; r++) {
    if (cold) drop_cache(fd);
    int64_t t0 = bench_now_ns();
    for (uint64_t off = 0; off < TP_BYTES; off += CHUNK) {
      if (pread(fd, out + off, CHUNK, (off_t)off) != CHUNK) exit(1);
    }
    int64_t t1 = bench_now_ns();
    v[r] = (double)TP_BYTES / MIB * 1e9 / (double)(t1 - t0);
  }
  return median(v, REPS);
}

int main(void) {
  check(pmm_init(512 * MIB), "pmm_init");
  uint8_t* data = malloc(TP_BYTES);
  uint8_t* out = malloc(TP_BYTES);
  if (data == NULL || out == NULL) return 1;
  for (uint64_t i = 0; i < TP_BYTES; i++) data[i] = (uint8_t)(i * 2654435761u >> 13);
  char path[64];
  int fd = make_file(data, TP_BYTES, path);

  bench_header("pager_bench");
  double rt = pager_round_trip_ns(data, out);
  double rt_linux = linux_cold_fault_ns(fd, RT_PAGES);
  bench_report("pager fault round trip (1 page)", "ns", rt, rt_linux, 1.0, false);
  double batched = pager_read_mib_s(data, out, READ_VMO);
  double cold = linux_pread_mib_s(fd, out, true);
  bench_report("pager read 64MiB batched vs cold", "MiB/s", batched, cold, 1.0, true);
  double warm = linux_pread_mib_s(fd, out, false);
  bench_report("pager read 64MiB batched vs warm", "MiB/s", batched, warm, 0.25, true);
  double mapped = pager_read_mib_s(data, out, READ_MAPPED_ASCENDING);
  bench_report("pager read 64MiB mapped vs batched", "MiB/s", mapped, batched, 1.0, false);
  double unbatched = pager_read_mib_s(data, out, READ_MAPPED_DESCENDING);
  bench_report("pager read 64MiB 1-page vs batched", "MiB/s", unbatched, batched, 1.0, false);

  close(fd);
  unlink(path);
  free(data);
  free(out);
  pmm_shutdown();
  return 0;
}
