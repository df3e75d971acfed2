// System, time, port and pager calls: zx_system_get_page_size, zx_system_get_features,
// zx_clock_get_monotonic, zx_deadline_after, zx_nanosleep, zx_cache_flush, zx_port_*, zx_pager_*.
//
// Pagers: the objects exist (zx_pager_create works) but the VM side of user pagers arrives with
// the clones-and-pagers issue (#4); until then every other pager call validates its handles,
// types, rights and options exactly as Fuchsia does and then returns ZX_ERR_NOT_SUPPORTED.
#include <zircon/features.h>
#include <zircon/syscalls-next.h>

#include "zx/zx_priv.h"

ZXVM_EXPORT uint32_t zx_system_get_page_size(void) { return (uint32_t)PAGE_SIZE; }

ZXVM_EXPORT zx_status_t zx_system_get_features(uint32_t kind, uint32_t* features) {
  uint32_t value;
  switch (kind) {
    case ZX_FEATURE_KIND_VM:
      // The simulated x86-64 MMU cannot express execute-only mappings.
      value = 0;
      break;
    case ZX_FEATURE_KIND_HW_BREAKPOINT_COUNT:
    case ZX_FEATURE_KIND_HW_WATCHPOINT_COUNT:
    case ZX_FEATURE_KIND_ADDRESS_TAGGING:
      value = 0;
      break;
    default:
      return ZX_ERR_NOT_SUPPORTED;
  }
  if (features == NULL) return ZX_ERR_INVALID_ARGS;
  *features = value;
  return ZX_OK;
}

ZXVM_EXPORT zx_instant_mono_t zx_clock_get_monotonic(void) { return platform_now_ns(); }

ZXVM_EXPORT zx_instant_mono_t zx_deadline_after(zx_duration_mono_t nanoseconds) {
  return zx_time_add_duration(platform_now_ns(), nanoseconds);
}

ZXVM_EXPORT zx_status_t zx_nanosleep(zx_instant_mono_t deadline) {
  int64_t now = platform_now_ns();
  if (deadline > now) platform_sleep_ns(deadline - now);
  return ZX_OK;
}

ZXVM_EXPORT zx_status_t zx_cache_flush(const void* addr, size_t size, uint32_t options) {
  if (options == ZX_CACHE_FLUSH_INVALIDATE) return ZX_ERR_INVALID_ARGS;
  if (options == 0 ||
      (options & ~(ZX_CACHE_FLUSH_INSN | ZX_CACHE_FLUSH_DATA | ZX_CACHE_FLUSH_INVALIDATE))) {
    return ZX_ERR_INVALID_ARGS;
  }
  if ((options & ZX_CACHE_FLUSH_INVALIDATE) && !(options & ZX_CACHE_FLUSH_DATA)) {
    return ZX_ERR_INVALID_ARGS;
  }
  // Host memory is coherent as far as the simulated CPU is concerned.
  (void)addr;
  (void)size;
  return ZX_OK;
}

// ---- ports ------------------------------------------------------------------------------------

ZXVM_EXPORT zx_status_t zx_port_create(uint32_t options, zx_handle_t* out) {
  if (options & ~ZX_PORT_BIND_TO_INTERRUPT) return ZX_ERR_INVALID_ARGS;
  if (out == NULL) return ZX_ERR_INVALID_ARGS;
  zx_status_t status = kernel_ensure_init();
  if (status != ZX_OK) return status;
  struct port_dispatcher* p;
  status = port_dispatcher_create(options, &p);
  if (status != ZX_OK) return status;
  status = handle_table_add(&p->base, ZX_DEFAULT_PORT_RIGHTS, out);
  dispatcher_release(&p->base);
  return status;
}

ZXVM_EXPORT zx_status_t zx_port_queue(zx_handle_t handle, const zx_port_packet_t* packet) {
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_PORT, ZX_RIGHT_WRITE, &d, NULL);
  if (status != ZX_OK) return status;
  struct port_packet_node* n = NULL;
  if (packet == NULL) {
    status = ZX_ERR_INVALID_ARGS;
    goto out;
  }
  n = heap_alloc(sizeof(*n));
  if (n == NULL) {
    status = ZX_ERR_NO_MEMORY;
    goto out;
  }
  list_node_init(&n->node);
  n->packet = *packet;
  // Queued packets are user packets whatever type the caller wrote.
  n->packet.type = ZX_PKT_TYPE_USER;
  struct port_dispatcher* port = port_dispatcher_from(d);
  mutex_lock(&d->lock);
  if (port->queued >= PORT_MAX_QUEUED_PACKETS) {
    status = ZX_ERR_SHOULD_WAIT;
  } else {
    list_add_tail(&port->queue, &n->node);
    port->queued++;
    n = NULL;
  }
  mutex_unlock(&d->lock);
  cond_broadcast(&d->cond);
out:
  heap_free(n);
  dispatcher_release(d);
  return status;
}

ZXVM_EXPORT zx_status_t zx_port_wait(zx_handle_t handle, zx_instant_mono_t deadline,
                                     zx_port_packet_t* packet) {
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_PORT, ZX_RIGHT_READ, &d, NULL);
  if (status != ZX_OK) return status;
  if (packet == NULL) {
    dispatcher_release(d);
    return ZX_ERR_INVALID_ARGS;
  }
  struct port_dispatcher* port = port_dispatcher_from(d);
  struct list_node* node = NULL;
  mutex_lock(&d->lock);
  for (;;) {
    node = list_remove_head(&port->queue);
    if (node != NULL) {
      port->queued--;
      break;
    }
    if (deadline != ZX_TIME_INFINITE && platform_now_ns() >= deadline) break;
    cond_wait_deadline(&d->cond, &d->lock, deadline);
  }
  mutex_unlock(&d->lock);
  if (node == NULL) {
    status = ZX_ERR_TIMED_OUT;
  } else {
    struct port_packet_node* n = containerof(node, struct port_packet_node, node);
    *packet = n->packet;
    heap_free(n);
  }
  dispatcher_release(d);
  return status;
}

// ---- pagers -----------------------------------------------------------------------------------

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

// Looks up |handle| as |type| with |rights| only to report its status.
static zx_status_t check_handle(zx_handle_t handle, zx_obj_type_t type, zx_rights_t rights) {
  struct dispatcher* d;
  zx_status_t status = dispatcher_lookup(handle, type, rights, &d, NULL);
  if (status == ZX_OK) dispatcher_release(d);
  return status;
}

// The pager handle and a pager VMO handle, as every pager call on a VMO checks them.
static zx_status_t check_pager_and_vmo(zx_handle_t pager, zx_rights_t pager_rights, zx_handle_t vmo,
                                       zx_rights_t vmo_rights) {
  zx_status_t status = check_handle(pager, ZX_OBJ_TYPE_PAGER, pager_rights);
  if (status != ZX_OK) return status;
  status = check_handle(vmo, ZX_OBJ_TYPE_VMO, vmo_rights);
  if (status != ZX_OK) return status;
  // No VMO is pager-backed yet, so |vmo| was not created by this pager.
  return ZX_ERR_INVALID_ARGS;
}

ZXVM_EXPORT zx_status_t zx_pager_create_vmo(zx_handle_t pager, uint32_t options, zx_handle_t port,
                                            uint64_t key, uint64_t size, zx_handle_t* out) {
  const uint32_t allowed = ZX_VMO_RESIZABLE | ZX_VMO_TRAP_DIRTY | ZX_VMO_UNBOUNDED;
  if ((options & ~allowed) || ((options & ZX_VMO_UNBOUNDED) && (options & ZX_VMO_RESIZABLE))) {
    return ZX_ERR_INVALID_ARGS;
  }
  zx_status_t status = check_handle(pager, ZX_OBJ_TYPE_PAGER, ZX_RIGHT_ATTACH_VMO);
  if (status != ZX_OK) return status;
  status = check_handle(port, ZX_OBJ_TYPE_PORT, ZX_RIGHT_WRITE);
  if (status != ZX_OK) return status;
  if (!(options & ZX_VMO_UNBOUNDED) && size > VM_OBJECT_PAGED_MAX_SIZE) return ZX_ERR_OUT_OF_RANGE;
  if (out == NULL) return ZX_ERR_INVALID_ARGS;
  (void)key;
  // TODO(#4): pager-backed VMOs (page requests, supply, detach) come with the VM's pager support.
  return ZX_ERR_NOT_SUPPORTED;
}

ZXVM_EXPORT zx_status_t zx_pager_detach_vmo(zx_handle_t pager, zx_handle_t vmo) {
  return check_pager_and_vmo(pager, ZX_RIGHT_ATTACH_VMO | ZX_RIGHT_MANAGE_VMO, vmo, ZX_RIGHT_WRITE);
}

ZXVM_EXPORT zx_status_t zx_pager_supply_pages(zx_handle_t pager, zx_handle_t pager_vmo,
                                              uint64_t offset, uint64_t length, zx_handle_t aux_vmo,
                                              uint64_t aux_offset) {
  zx_status_t status = check_handle(pager, ZX_OBJ_TYPE_PAGER, ZX_RIGHT_MANAGE_VMO);
  if (status != ZX_OK) return status;
  status = check_handle(pager_vmo, ZX_OBJ_TYPE_VMO, ZX_RIGHT_WRITE);
  if (status != ZX_OK) return status;
  status = check_handle(aux_vmo, ZX_OBJ_TYPE_VMO, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
  if (status != ZX_OK) return status;
  (void)offset;
  (void)length;
  (void)aux_offset;
  return ZX_ERR_INVALID_ARGS;  // |pager_vmo| cannot be from this pager (see check_pager_and_vmo)
}

ZXVM_EXPORT zx_status_t zx_pager_op_range(zx_handle_t pager, uint32_t op, zx_handle_t pager_vmo,
                                          uint64_t offset, uint64_t length, uint64_t data) {
  (void)op;
  (void)offset;
  (void)length;
  (void)data;
  return check_pager_and_vmo(pager, ZX_RIGHT_MANAGE_VMO, pager_vmo, ZX_RIGHT_WRITE);
}

ZXVM_EXPORT zx_status_t zx_pager_query_dirty_ranges(zx_handle_t pager, zx_handle_t pager_vmo,
                                                    uint64_t offset, uint64_t length, void* buffer,
                                                    size_t buffer_size, size_t* actual,
                                                    size_t* avail) {
  (void)offset;
  (void)length;
  (void)buffer;
  (void)buffer_size;
  (void)actual;
  (void)avail;
  return check_pager_and_vmo(pager, 0, pager_vmo, ZX_RIGHT_READ);
}

ZXVM_EXPORT zx_status_t zx_pager_query_vmo_stats(zx_handle_t pager, zx_handle_t pager_vmo,
                                                 uint32_t options, void* buffer,
                                                 size_t buffer_size) {
  (void)options;
  (void)buffer;
  (void)buffer_size;
  return check_pager_and_vmo(pager, 0, pager_vmo, ZX_RIGHT_READ);
}
