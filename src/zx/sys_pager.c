// The pager calls: zx_pager_create, create_vmo, detach_vmo, supply_pages,
// op_range, query_dirty_ranges, query_vmo_stats, and the wiring of a pager
// VMO's page requests to its port.
//
// Each call looks its handles up (BAD_HANDLE, WRONG_TYPE, ACCESS_DENIED, in
// that order), checks that the VMO was created by this pager (INVALID_ARGS),
// then acts through src/vm/vm_pager.h.
//
// A pager VMO's page source sends its packets through a struct pager_port_link:
// the port (one reference, dropped when the source is freed) and the koid of
// the pager that created it (how a call recognises "its" VMOs). A registry here
// keeps, per pager koid, a reference to each source of that pager's VMOs, so
// that sys_pager_on_destroy (called when a pager object dies) can detach
// them all without a COMPLETE packet (zx-abi.md: COMPLETE is not sent if the
// pager itself was closed). Detached sources are pruned from the registry as
// new VMOs are created.
//
// Packets are queued with the port's leaf lock under the pager and VMO locks; a
// packet whose node cannot be allocated is lost (the waiting access then waits
// until detach or the VMO's end). A request's packet is a kernel packet owned
// by the request (link_queue): when the request ends before the pager read it,
// the source withdraws it from the port (link_withdraw), as Zircon does.
// TODO(#4): preallocate one packet per request as Zircon does.
#include "zx/sys_pager.h"

#include <zircon/syscalls-next.h>

#include "vm/vm_pager.h"
#include "zx/zx_priv.h"

struct pager_port_link {
  struct dispatcher* port;  // (c) one reference
  zx_koid_t pager_koid;     // (c)
};

// One source of a pager's VMOs, in the registry.
struct pager_source_entry {
  struct list_node node;
  zx_koid_t pager_koid;
  struct page_source* src;  // one reference
};

// The registry lock ranks just below the pager lock: under it the registry checks and detaches
// page sources (pager lock, then the evictor's) and drops references to them. It is only taken by
// the zx calls, with no other lock held.
static const struct lock_class pager_registry_lock_class = {"pager_registry", LOCK_RANK_PAGER - 1};
_Static_assert(LOCK_RANK_PAGER - 1 > LOCK_RANK_VMO, "registry lock between VMO and pager");

// Legend: (R) the registry lock.
static struct {
  struct mutex lock;
  struct list_node entries;  // (R) of pager_source_entry
} g_pagers = {.entries = LIST_INITIAL_VALUE(g_pagers.entries)};
static _Atomic int g_pagers_init;  // 0 none, 1 initializing, 2 ready

static void registry_init_once(void) {
  if (atomic_load_explicit(&g_pagers_init, memory_order_acquire) == 2) return;
  int expected = 0;
  if (atomic_compare_exchange_strong(&g_pagers_init, &expected, 1)) {
    mutex_init(&g_pagers.lock, &pager_registry_lock_class);
    atomic_store_explicit(&g_pagers_init, 2, memory_order_release);
    return;
  }
  while (atomic_load_explicit(&g_pagers_init, memory_order_acquire) != 2) {
  }
}

// page_source_send_fn: queues |packet| on the link's port. Runs under the pager
// lock (and usually a VMO lock): takes only the port's leaf lock.
static void link_send(void* ctx, const zx_port_packet_t* packet) {
  struct pager_port_link* link = ctx;
  struct port_packet_node* n = heap_alloc(sizeof(*n));
  if (n == NULL) return;
  list_node_init(&n->node);
  n->packet = *packet;
  n->kernel_owned = false;
  struct dispatcher* d = link->port;
  struct port_dispatcher* port = port_dispatcher_from(d);
  mutex_lock(&d->lock);
  // Kernel packets are not bounded by PORT_MAX_QUEUED_PACKETS: a request is
  // never dropped.
  list_add_tail(&port->queue, &n->node);
  port->queued++;
  mutex_unlock(&d->lock);
  cond_broadcast(&d->cond);
}

// page_source_queue_fn: queues |packet| as a kernel packet the source keeps
// (its token) until link_withdraw. Same context and locks as link_send.
static void* link_queue(void* ctx, const zx_port_packet_t* packet) {
  struct pager_port_link* link = ctx;
  struct port_packet_node* n = heap_alloc(sizeof(*n));
  if (n == NULL) return NULL;
  list_node_init(&n->node);
  n->packet = *packet;
  n->kernel_owned = true;
  port_queue_kernel_packet(port_dispatcher_from(link->port), n);
  return n;
}

// page_source_withdraw_fn: takes the packet back if it is still queued, then
// frees it (the reader copies a kernel packet out under the port lock).
static bool link_withdraw(void* ctx, void* token) {
  struct pager_port_link* link = ctx;
  struct port_packet_node* n = token;
  bool withdrawn = port_cancel_queued(port_dispatcher_from(link->port), n);
  heap_free(n);
  return withdrawn;
}

// page_source_release_fn: the source is gone; so is its claim on the port. A
// port's destruction takes no lock, so this is safe under the VMO lock the last
// release may hold.
static void link_release(void* ctx) {
  struct pager_port_link* link = ctx;
  dispatcher_release(link->port);
  heap_free(link);
}

ZXVM_EXPORT zx_status_t zx_pager_create(uint32_t options, zx_handle_t* out) {
  if (options != 0) return ZX_ERR_INVALID_ARGS;
  if (out == NULL) return ZX_ERR_INVALID_ARGS;
  zx_status_t status = kernel_ensure_init();
  if (status != ZX_OK) return status;
  struct pager_dispatcher* p;
  status = pager_dispatcher_create(&p);
  if (status != ZX_OK) return status;
  status = handle_table_add(&p->base, ZX_DEFAULT_PAGER_RIGHTS, out);
  dispatcher_release(&p->base);
  return status;
}

static void entry_free(struct pager_source_entry* e) {
  page_source_release(e->src);
  heap_free(e);
}

void sys_pager_on_destroy(zx_koid_t pager_koid) {
  registry_init_once();
  mutex_lock(&g_pagers.lock);
  list_for_every_safe(&g_pagers.entries, node, tmp) {
    struct pager_source_entry* e = containerof(node, struct pager_source_entry, node);
    if (e->pager_koid != pager_koid) continue;
    list_delete(node);
    vm_pager_source_pager_gone(e->src);
    entry_free(e);
  }
  mutex_unlock(&g_pagers.lock);
}

// Records |src| for pager |pager_koid| in |e| (taking a reference), and drops the entries of
// sources already detached (their VMOs died or were detached).
static void registry_add(struct pager_source_entry* e, zx_koid_t pager_koid,
                         struct page_source* src) {
  page_source_acquire(src);
  e->pager_koid = pager_koid;
  e->src = src;
  registry_init_once();
  mutex_lock(&g_pagers.lock);
  list_for_every_safe(&g_pagers.entries, node, tmp) {
    struct pager_source_entry* o = containerof(node, struct pager_source_entry, node);
    if (!page_source_is_detached(o->src)) continue;
    list_delete(node);
    entry_free(o);
  }
  list_add_tail(&g_pagers.entries, &e->node);
  mutex_unlock(&g_pagers.lock);
}

// A page source whose packets go to |port| with |key|, for pager |p|. Takes a
// port reference.
static zx_status_t make_source(struct dispatcher* pager, struct dispatcher* port, uint32_t options,
                               uint64_t key, struct page_source** out) {
  struct pager_port_link* link = heap_alloc(sizeof(*link));
  if (link == NULL) return ZX_ERR_NO_MEMORY;
  uint32_t flags = (options & ZX_VMO_TRAP_DIRTY) ? PAGE_SOURCE_FLAG_TRAP_DIRTY : 0;
  zx_status_t status = page_source_create(flags, key, link_send, link, out);
  if (status != ZX_OK) {
    heap_free(link);
    return status;
  }
  dispatcher_acquire(port);
  link->port = port;
  link->pager_koid = pager->koid;
  page_source_set_release_ctx(*out, link_release);
  page_source_set_withdrawable_packets(*out, link_queue, link_withdraw);
  return ZX_OK;
}

// Creates the pager VMO and its handle; |src| is the VMO's source (the caller
// keeps its own reference).
static zx_status_t make_pager_vmo(struct page_source* src, uint32_t options, uint64_t size,
                                  zx_handle_t* out) {
  uint64_t vmo_size = (options & ZX_VMO_UNBOUNDED) ? VM_OBJECT_PAGED_MAX_SIZE : size;
  struct vm_object_paged* vmo;
  zx_status_t status = vm_pager_create_vmo(
      (options & ZX_VMO_RESIZABLE) ? VM_OBJECT_PAGED_RESIZABLE : 0, vmo_size, src, &vmo);
  if (status != ZX_OK) return status;
  if (options & ZX_VMO_UNBOUNDED) vm_object_paged_set_content_size(vmo, size);
  struct vmo_dispatcher* v;
  status = vmo_dispatcher_create(vmo, options & ~ZX_VMO_TRAP_DIRTY, &v);
  if (status != ZX_OK) {
    // Nobody ever saw this VMO: its death must not send COMPLETE.
    (void)page_source_detach(src, false);
    vm_object_paged_release(vmo);
    return status;
  }
  zx_rights_t rights = ZX_DEFAULT_VMO_RIGHTS;
  if (options & ZX_VMO_RESIZABLE) rights |= ZX_RIGHT_RESIZE;
  status = handle_table_add(&v->base, rights, out);
  if (status != ZX_OK) (void)page_source_detach(src, false);
  dispatcher_release(&v->base);
  return status;
}

ZXVM_EXPORT zx_status_t zx_pager_create_vmo(zx_handle_t pager, uint32_t options, zx_handle_t port,
                                            uint64_t key, uint64_t size, zx_handle_t* out) {
  const uint32_t allowed = ZX_VMO_RESIZABLE | ZX_VMO_TRAP_DIRTY | ZX_VMO_UNBOUNDED;
  if ((options & ~allowed) || ((options & ZX_VMO_UNBOUNDED) && (options & ZX_VMO_RESIZABLE))) {
    return ZX_ERR_INVALID_ARGS;
  }
  struct dispatcher *pd, *portd;
  zx_status_t status = dispatcher_lookup(pager, ZX_OBJ_TYPE_PAGER, ZX_RIGHT_ATTACH_VMO, &pd, NULL);
  if (status != ZX_OK) return status;
  status = dispatcher_lookup(port, ZX_OBJ_TYPE_PORT, ZX_RIGHT_WRITE, &portd, NULL);
  if (status != ZX_OK) goto out_pager;
  if (!(options & ZX_VMO_UNBOUNDED) && size > VM_OBJECT_PAGED_MAX_SIZE) {
    status = ZX_ERR_OUT_OF_RANGE;
  } else if (out == NULL) {
    status = ZX_ERR_INVALID_ARGS;
  } else {
    struct pager_source_entry* e = heap_alloc(sizeof(*e));
    struct page_source* src = NULL;
    status = e ? make_source(pd, portd, options, key, &src) : ZX_ERR_NO_MEMORY;
    if (status == ZX_OK) status = make_pager_vmo(src, options, size, out);
    if (status == ZX_OK) {
      registry_add(e, pd->koid, src);
      e = NULL;
    } else if (src != NULL) {
      (void)page_source_detach(src, false);
    }
    heap_free(e);
    if (src != NULL) page_source_release(src);
  }
  dispatcher_release(portd);
out_pager:
  dispatcher_release(pd);
  return status;
}

// Looks up |pager| with |pager_rights| and |vmo| with |vmo_rights|, and checks
// that the VMO was created by that pager (else ZX_ERR_INVALID_ARGS). On ZX_OK
// the caller releases *out_vmo.
static zx_status_t lookup_pager_vmo(zx_handle_t pager, zx_rights_t pager_rights, zx_handle_t vmo,
                                    zx_rights_t vmo_rights, struct vmo_dispatcher** out_vmo) {
  struct dispatcher *pd, *vd;
  zx_status_t status = dispatcher_lookup(pager, ZX_OBJ_TYPE_PAGER, pager_rights, &pd, NULL);
  if (status != ZX_OK) return status;
  status = dispatcher_lookup(vmo, ZX_OBJ_TYPE_VMO, vmo_rights, &vd, NULL);
  if (status != ZX_OK) goto out_pager;
  struct vmo_dispatcher* v = vmo_dispatcher_from(vd);
  // The source lives as long as the VMO's root, which |vd| keeps alive.
  struct page_source* src = vm_pager_vmo_source(v->vmo);
  const struct pager_port_link* link = src ? page_source_send_ctx_if(src, link_send) : NULL;
  if (link == NULL || link->pager_koid != pd->koid) {
    status = ZX_ERR_INVALID_ARGS;
    dispatcher_release(vd);
  } else {
    *out_vmo = v;
  }
out_pager:
  dispatcher_release(pd);
  return status;
}

ZXVM_EXPORT zx_status_t zx_pager_detach_vmo(zx_handle_t pager, zx_handle_t vmo) {
  struct vmo_dispatcher* v;
  zx_status_t status =
      lookup_pager_vmo(pager, ZX_RIGHT_ATTACH_VMO | ZX_RIGHT_MANAGE_VMO, vmo, ZX_RIGHT_WRITE, &v);
  if (status != ZX_OK) return status;
  status = vm_pager_detach_vmo(v->vmo, true);
  if (status == ZX_ERR_BAD_STATE) status = ZX_OK;  // detaching twice is harmless
  dispatcher_release(&v->base);
  return status;
}

ZXVM_EXPORT zx_status_t zx_pager_supply_pages(zx_handle_t pager, zx_handle_t pager_vmo,
                                              uint64_t offset, uint64_t length, zx_handle_t aux_vmo,
                                              uint64_t aux_offset) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_pager_vmo(pager, ZX_RIGHT_MANAGE_VMO, pager_vmo, ZX_RIGHT_WRITE, &v);
  if (status != ZX_OK) return status;
  struct dispatcher* ad;
  status = dispatcher_lookup(aux_vmo, ZX_OBJ_TYPE_VMO, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &ad, NULL);
  if (status == ZX_OK) {
    status =
        vm_pager_supply_pages(v->vmo, offset, length, vmo_dispatcher_from(ad)->vmo, aux_offset);
    dispatcher_release(ad);
    kernel_validate_all();
  }
  dispatcher_release(&v->base);
  return status;
}

ZXVM_EXPORT zx_status_t zx_pager_op_range(zx_handle_t pager, uint32_t op, zx_handle_t pager_vmo,
                                          uint64_t offset, uint64_t length, uint64_t data) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_pager_vmo(pager, ZX_RIGHT_MANAGE_VMO, pager_vmo, ZX_RIGHT_WRITE, &v);
  if (status != ZX_OK) return status;
  status = vm_pager_op_range(v->vmo, op, offset, length, data);
  kernel_validate_all();
  dispatcher_release(&v->base);
  return status;
}

ZXVM_EXPORT zx_status_t zx_pager_query_dirty_ranges(zx_handle_t pager, zx_handle_t pager_vmo,
                                                    uint64_t offset, uint64_t length, void* buffer,
                                                    size_t buffer_size, size_t* actual,
                                                    size_t* avail) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_pager_vmo(pager, 0, pager_vmo, ZX_RIGHT_READ, &v);
  if (status != ZX_OK) return status;
  size_t max = buffer_size / sizeof(zx_vmo_dirty_range_t);
  if (buffer == NULL && max != 0) {
    status = ZX_ERR_INVALID_ARGS;
  } else {
    status = vm_pager_query_dirty_ranges(v->vmo, offset, length, buffer, max, actual, avail);
  }
  dispatcher_release(&v->base);
  return status;
}

ZXVM_EXPORT zx_status_t zx_pager_query_vmo_stats(zx_handle_t pager, zx_handle_t pager_vmo,
                                                 uint32_t options, void* buffer,
                                                 size_t buffer_size) {
  struct vmo_dispatcher* v;
  zx_status_t status = lookup_pager_vmo(pager, 0, pager_vmo, ZX_RIGHT_READ, &v);
  if (status != ZX_OK) return status;
  uint32_t modified;
  if (options & ~ZX_PAGER_RESET_VMO_STATS) {
    status = ZX_ERR_INVALID_ARGS;
  } else if (buffer_size < sizeof(zx_pager_vmo_stats_t)) {
    status = ZX_ERR_BUFFER_TOO_SMALL;
  } else if (buffer == NULL) {
    status = ZX_ERR_INVALID_ARGS;
  } else {
    status = vm_pager_query_vmo_stats(v->vmo, options & ZX_PAGER_RESET_VMO_STATS, &modified);
    if (status == ZX_OK) ((zx_pager_vmo_stats_t*)buffer)->modified = modified;
  }
  dispatcher_release(&v->base);
  return status;
}
