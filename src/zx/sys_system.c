// System, time and port calls: zx_system_get_page_size, zx_system_get_features,
// zx_clock_get_monotonic, zx_deadline_after, zx_nanosleep, zx_cache_flush, zx_port_*. The pager
// calls are in sys_pager.c.
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
  n->kernel_owned = false;
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
  struct port_packet_node* user_node = NULL;
  zx_port_packet_t copy;
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
  if (node != NULL) {
    // Copied under the lock: a kernel packet's producer frees it once it is unlinked. Into a
    // local: the caller's buffer may be mapped memory, touched only with no lock held.
    struct port_packet_node* n = containerof(node, struct port_packet_node, node);
    copy = n->packet;
    if (!n->kernel_owned) user_node = n;
  }
  mutex_unlock(&d->lock);
  heap_free(user_node);
  if (node == NULL) {
    status = ZX_ERR_TIMED_OUT;
  } else {
    *packet = copy;
  }
  dispatcher_release(d);
  return status;
}
