// zxvm: the command-line tool. `zxvm demo` walks through the public API: a VMO is created,
// written, read, committed and decommitted, mapped into the root VMAR, accessed through the
// simulated CPU, protected; then a snapshot shows copy-on-write: the parent is written after it
// and the child still reads the old data; last a user pager: a read of a pager-backed VMO blocks
// until this program, acting as the pager, answers the page request on its port. The library's
// statistics are printed along the way.
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>
#include <zxvm/zxvm.h>

static int check(const char* what, zx_status_t status) {
  printf("  %-44s %s\n", what, status == ZX_OK ? "ok" : "FAILED");
  if (status != ZX_OK) fprintf(stderr, "zxvm demo: %s: status %d\n", what, status);
  return status == ZX_OK ? 0 : 1;
}

static void print_stats(const char* when) {
  zxvm_stats_t s;
  if (zxvm_get_stats(&s) != ZX_OK) return;
  printf("stats (%s):\n", when);
  printf("  pmm pages: total %llu, free %llu, VMO %llu, page tables %llu\n",
         (unsigned long long)s.pmm_total_pages, (unsigned long long)s.pmm_free_pages,
         (unsigned long long)s.pmm_object_pages, (unsigned long long)s.pmm_mmu_pages);
  printf("  faults %llu (not found %llu, denied %llu, out of range %llu), pages mapped %llu\n",
         (unsigned long long)s.faults, (unsigned long long)s.faults_not_found,
         (unsigned long long)s.faults_access_denied, (unsigned long long)s.faults_out_of_range,
         (unsigned long long)s.pages_mapped);
  printf("  copy-on-write copies %llu, pager requests %llu, handles %llu, processes %llu\n",
         (unsigned long long)s.cow_copies, (unsigned long long)s.pager_requests,
         (unsigned long long)s.handles, (unsigned long long)s.processes);
}

// Copy-on-write: a snapshot keeps the data it was taken with while the parent moves on.
static int snapshot_demo(uint64_t page) {
  zx_handle_t parent = ZX_HANDLE_INVALID, child = ZX_HANDLE_INVALID;
  int bad = check("zx_vmo_create (parent, 2 pages)", zx_vmo_create(2 * page, 0, &parent));
  bad |= check("zx_vmo_write \"before\" to the parent", zx_vmo_write(parent, "before", 0, 7));
  print_stats("before the snapshot");
  bad |= check("zx_vmo_create_child SNAPSHOT",
               zx_vmo_create_child(parent, ZX_VMO_CHILD_SNAPSHOT, 0, 2 * page, &child));
  bad |= check("zx_vmo_write \"after!\" to the parent", zx_vmo_write(parent, "after!", 0, 7));
  char from_parent[8] = {0}, from_child[8] = {0};
  bad |= check("zx_vmo_read the parent", zx_vmo_read(parent, from_parent, 0, 7));
  bad |= check("zx_vmo_read the child", zx_vmo_read(child, from_child, 0, 7));
  printf("  parent reads \"%s\", child reads \"%s\"\n", from_parent, from_child);
  bad |= strcmp(from_child, "before") != 0;
  zx_info_vmo_t info;
  bad |= check("zx_object_get_info ZX_INFO_VMO (child)",
               zx_object_get_info(child, ZX_INFO_VMO, &info, sizeof(info), NULL, NULL));
  printf("  child: cow clone %s, parent koid %llu, populated %llu bytes (private %llu)\n",
         (info.flags & ZX_INFO_VMO_IS_COW_CLONE) ? "yes" : "no",
         (unsigned long long)info.parent_koid, (unsigned long long)info.populated_bytes,
         (unsigned long long)info.populated_private_bytes);
  print_stats("after the snapshot and the parent's write");
  bad |= check("zx_handle_close (child)", zx_handle_close(child));
  zx_signals_t observed = 0;
  bad |= check("parent has ZX_VMO_ZERO_CHILDREN again",
               zx_object_wait_one(parent, ZX_VMO_ZERO_CHILDREN, 0, &observed));
  bad |= check("zx_handle_close (parent)", zx_handle_close(parent));
  return bad;
}

struct pager_reader {
  zx_handle_t vmo;
  uint64_t offset;
  char text[32];
  zx_status_t status;
};

static void* pager_reader_main(void* arg) {
  struct pager_reader* r = arg;
  r->status = zx_vmo_read(r->vmo, r->text, r->offset, sizeof(r->text) - 1);
  return NULL;
}

// A user pager: this thread serves the page requests of a VMO whose pages nobody has yet.
static int pager_demo(uint64_t page) {
  zx_handle_t pager = ZX_HANDLE_INVALID, port = ZX_HANDLE_INVALID, vmo = ZX_HANDLE_INVALID;
  zx_handle_t aux = ZX_HANDLE_INVALID;
  int bad = check("zx_pager_create", zx_pager_create(0, &pager));
  bad |= check("zx_port_create", zx_port_create(0, &port));
  bad |= check("zx_pager_create_vmo (4 pages, key 42)",
               zx_pager_create_vmo(pager, 0, port, 42, 4 * page, &vmo));
  if (bad) return bad;
  struct pager_reader r = {.vmo = vmo, .offset = 2 * page + 100, .status = 1};
  pthread_t reader;
  if (pthread_create(&reader, NULL, pager_reader_main, &r) != 0) return 1;
  printf("  a thread reads 31 bytes at page 2 + 100: it waits for the pager\n");
  zx_port_packet_t packet;
  bad |= check("zx_port_wait (page request)", zx_port_wait(port, ZX_TIME_INFINITE, &packet));
  printf("  request: key %llu, command %s, offset %#llx, length %#llx\n",
         (unsigned long long)packet.key,
         packet.page_request.command == ZX_PAGER_VMO_READ ? "READ" : "other",
         (unsigned long long)packet.page_request.offset,
         (unsigned long long)packet.page_request.length);
  uint64_t off = packet.page_request.offset, len = packet.page_request.length;
  bad |= check("zx_vmo_create (auxiliary)", zx_vmo_create(len, 0, &aux));
  const char text[] = "supplied from user space";
  bad |= check("zx_vmo_write the content",
               zx_vmo_write(aux, text, 2 * page + 100 - off, sizeof(text)));
  bad |= check("zx_pager_supply_pages", zx_pager_supply_pages(pager, vmo, off, len, aux, 0));
  pthread_join(reader, NULL);
  bad |= check("the reader's zx_vmo_read", r.status);
  printf("  the reader got \"%s\"\n", r.text);
  bad |= strcmp(r.text, text) != 0;
  print_stats("after the supply");
  bad |= check("zx_pager_detach_vmo", zx_pager_detach_vmo(pager, vmo));
  bad |= check("zx_port_wait (COMPLETE)", zx_port_wait(port, 0, &packet));
  bad |= packet.page_request.command != ZX_PAGER_VMO_COMPLETE;
  zx_handle_t handles[] = {aux, vmo, port, pager};
  bad |= check("zx_handle_close_many", zx_handle_close_many(handles, 4));
  return bad;
}

static int demo(void) {
  const uint64_t page = zx_system_get_page_size();
  zxvm_config_t config = {.backend = ZXVM_BACKEND_SOFT, .phys_mem_bytes = 64u << 20};
  int bad = check("zxvm_init (soft, 64 MiB)", zxvm_init(&config));
  zx_handle_t vmo = ZX_HANDLE_INVALID;
  bad |= check("zx_vmo_create (4 pages)", zx_vmo_create(4 * page, 0, &vmo));
  bad |= check("zx_vmo_write", zx_vmo_write(vmo, "hello, zxvm", 0, 12));
  char buf[16] = {0};
  bad |= check("zx_vmo_read", zx_vmo_read(vmo, buf, 0, 12));
  printf("  read back: \"%s\"\n", buf);
  bad |= check("zx_vmo_op_range COMMIT (pages 1..2)",
               zx_vmo_op_range(vmo, ZX_VMO_OP_COMMIT, page, 2 * page, NULL, 0));
  bad |= check("zx_vmo_op_range DECOMMIT (page 2)",
               zx_vmo_op_range(vmo, ZX_VMO_OP_DECOMMIT, 2 * page, page, NULL, 0));
  zx_vaddr_t addr = 0;
  bad |= check("zx_vmar_map (read/write) in the root VMAR",
               zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
                           4 * page, &addr));
  printf("  mapped at %#llx\n", (unsigned long long)addr);
  zx_handle_t self = zx_process_self();
  bad |= check("zxvm_user_write through the mapping", zxvm_user_write(self, addr + page, "hi", 3));
  memset(buf, 0, sizeof(buf));
  bad |= check("zxvm_user_read through the mapping", zxvm_user_read(self, addr, buf, 12));
  printf("  user read: \"%s\"\n", buf);
  bad |= check("zx_vmar_protect (read only)",
               zx_vmar_protect(zx_vmar_root_self(), ZX_VM_PERM_READ, addr, 4 * page));
  zx_status_t denied = zxvm_user_write(self, addr, "x", 1);
  printf("  %-44s %s\n", "write after protect", denied == ZX_ERR_ACCESS_DENIED ? "denied" : "??");
  bad |= denied != ZX_ERR_ACCESS_DENIED;
  print_stats("mapped");
  bad |= check("zxvm_check", zxvm_check(self));
  bad |= check("zx_vmar_unmap", zx_vmar_unmap(zx_vmar_root_self(), addr, 4 * page));
  bad |= check("zx_handle_close", zx_handle_close(vmo));
  print_stats("after unmap and close");
  bad |= snapshot_demo(page);
  return bad | pager_demo(page);
}

int main(int argc, char** argv) {
  if (argc < 2 || strcmp(argv[1], "demo") != 0) {
    fprintf(stderr, "usage: zxvm demo\n");
    return 2;
  }
  printf("zxvm demo\n");
  return demo() ? 1 : 0;
}
