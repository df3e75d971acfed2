// Kernel objects: the common dispatcher (koids, references, signals, waits), the constructors and
// destructors of every concrete object, and the registry of live processes.
#include "zx/object.h"

#include <string.h>

#include "zx/handle_table.h"
#include "zx/sys_pager.h"
#include "zx/zx_priv.h"

static const struct lock_class dispatcher_lock_class = {"dispatcher", LOCK_RANK_LEAF};
static const struct lock_class registry_lock_class = {"process_registry", LOCK_RANK_LEAF};

static _Atomic zx_koid_t next_koid = ZX_KOID_FIRST;

zx_koid_t koid_generate(void) { return atomic_fetch_add(&next_koid, 1); }

static void dispatcher_init(struct dispatcher* d, zx_obj_type_t type,
                            const struct dispatcher_ops* ops, bool has_signals) {
  d->magic = DISPATCHER_MAGIC;
  d->type = type;
  d->koid = koid_generate();
  d->related_koid = 0;
  atomic_init(&d->refcount, 1);
  d->ops = ops;
  d->has_signals = has_signals;
  mutex_init(&d->lock, &dispatcher_lock_class);
  cond_init(&d->cond);
  d->signals = 0;
  d->close_count = 0;
}

static void dispatcher_fini(struct dispatcher* d) {
  cond_destroy(&d->cond);
  mutex_destroy(&d->lock);
  d->magic = 0;
}

void dispatcher_acquire(struct dispatcher* d) {
  ZX_DEBUG_ASSERT_MAGIC(d, DISPATCHER_MAGIC);
  uint64_t old = atomic_fetch_add_explicit(&d->refcount, 1, memory_order_relaxed);
  ZX_DEBUG_ASSERT(old > 0);
}

void dispatcher_release(struct dispatcher* d) {
  ZX_DEBUG_ASSERT_MAGIC(d, DISPATCHER_MAGIC);
  uint64_t old = atomic_fetch_sub_explicit(&d->refcount, 1, memory_order_acq_rel);
  ZX_ASSERT(old > 0);
  if (old == 1) d->ops->destroy(d);
}

void dispatcher_on_handle_closed(struct dispatcher* d) {
  mutex_lock(&d->lock);
  d->close_count++;
  mutex_unlock(&d->lock);
  cond_broadcast(&d->cond);
}

zx_status_t dispatcher_lookup(zx_handle_t handle, zx_obj_type_t type, zx_rights_t rights,
                              struct dispatcher** out, zx_rights_t* out_rights) {
  zx_status_t status = kernel_ensure_init();
  if (status != ZX_OK) return status;
  struct dispatcher* d;
  zx_rights_t have;
  status = handle_table_get(handle, &d, &have);
  if (status != ZX_OK) return status;
  if (type != ZX_OBJ_TYPE_NONE && d->type != type) {
    dispatcher_release(d);
    return ZX_ERR_WRONG_TYPE;
  }
  if ((have & rights) != rights) {
    dispatcher_release(d);
    return ZX_ERR_ACCESS_DENIED;
  }
  *out = d;
  if (out_rights != NULL) *out_rights = have;
  return ZX_OK;
}

void dispatcher_update_signals(struct dispatcher* d, zx_signals_t clear, zx_signals_t set) {
  mutex_lock(&d->lock);
  d->signals = (d->signals & ~clear) | set;
  mutex_unlock(&d->lock);
  cond_broadcast(&d->cond);
}

zx_signals_t dispatcher_signals(struct dispatcher* d) {
  mutex_lock(&d->lock);
  zx_signals_t s = d->signals;
  mutex_unlock(&d->lock);
  return s;
}

// True while |handle| still names |d| (checked with no object lock held: the table lock ranks
// below it).
static bool handle_still_names(zx_handle_t handle, struct dispatcher* d) {
  struct dispatcher* now;
  if (handle_table_get(handle, &now, NULL) != ZX_OK) return false;
  bool same = now == d;
  dispatcher_release(now);
  return same;
}

zx_status_t dispatcher_wait_one(struct dispatcher* d, zx_handle_t handle, zx_signals_t signals,
                                zx_instant_mono_t deadline, zx_signals_t* observed) {
  mutex_lock(&d->lock);
  for (;;) {
    uint64_t closes = d->close_count;
    if (d->signals & signals) break;
    if (deadline != ZX_TIME_INFINITE && platform_now_ns() >= deadline) {
      *observed = d->signals;
      mutex_unlock(&d->lock);
      return ZX_ERR_TIMED_OUT;
    }
    cond_wait_deadline(&d->cond, &d->lock, deadline);
    if (d->close_count != closes) {
      mutex_unlock(&d->lock);
      bool alive = handle_still_names(handle, d);
      mutex_lock(&d->lock);
      if (!alive) {
        *observed = d->signals | ZX_SIGNAL_HANDLE_CLOSED;
        mutex_unlock(&d->lock);
        return ZX_ERR_CANCELED;
      }
    }
  }
  *observed = d->signals;
  mutex_unlock(&d->lock);
  return ZX_OK;
}

static void copy_name(char dst[ZX_MAX_NAME_LEN], const char* name, size_t len) {
  memset(dst, 0, ZX_MAX_NAME_LEN);
  for (size_t i = 0; i < len && i + 1 < ZX_MAX_NAME_LEN && name[i] != '\0'; i++) dst[i] = name[i];
}

// ---- VMO ------------------------------------------------------------------------------------

// The VMO's children observer: ZX_VMO_ZERO_CHILDREN follows its child count. It may run late and
// from any thread, so it reads the count and the dispatcher afresh under the VMO lock; the
// dispatcher clears the observer under that lock before it dies, so it is never touched after.
static void vmo_dispatcher_children_changed(struct vm_object_paged* vmo, void* ctx) {
  (void)ctx;
  vm_object_lock(&vmo->base);
  struct vmo_dispatcher* v = vmo->children_observer_ctx;
  if (v != NULL) {
    // The dispatcher lock (leaf) ranks below the VMO lock.
    if (vmo->child_count == 0) {
      dispatcher_update_signals(&v->base, 0, ZX_VMO_ZERO_CHILDREN);
    } else {
      dispatcher_update_signals(&v->base, ZX_VMO_ZERO_CHILDREN, 0);
    }
  }
  vm_object_unlock(&vmo->base);
}

static void vmo_dispatcher_destroy(struct dispatcher* d) {
  struct vmo_dispatcher* v = vmo_dispatcher_from(d);
  // The VMO may outlive us (a mapping holds it): stop its news first.
  vm_object_paged_set_children_observer(v->vmo, NULL, NULL);
  vm_object_paged_release(v->vmo);
  dispatcher_fini(d);
  heap_free(v);
}

static const struct dispatcher_ops vmo_ops = {.destroy = vmo_dispatcher_destroy};

zx_status_t vmo_dispatcher_create(struct vm_object_paged* vmo, uint32_t create_options,
                                  struct vmo_dispatcher** out) {
  struct vmo_dispatcher* v = heap_calloc(1, sizeof(*v));
  if (v == NULL) return ZX_ERR_NO_MEMORY;
  dispatcher_init(&v->base, ZX_OBJ_TYPE_VMO, &vmo_ops, true);
  v->vmo = vmo;
  v->create_options = create_options;
  // A new VMO has no children; the observer keeps ZX_VMO_ZERO_CHILDREN in step from now on.
  v->base.signals = ZX_VMO_ZERO_CHILDREN;
  vm_object_set_user_id(&vmo->base, v->base.koid);
  vm_object_paged_set_children_observer(vmo, vmo_dispatcher_children_changed, v);
  vmo_dispatcher_children_changed(vmo, v);
  *out = v;
  return ZX_OK;
}

// ---- VMAR -----------------------------------------------------------------------------------

static void vmar_dispatcher_destroy(struct dispatcher* d) {
  struct vmar_dispatcher* v = vmar_dispatcher_from(d);
  vm_address_region_or_mapping_release(&v->vmar->common);
  dispatcher_fini(d);
  heap_free(v);
}

static const struct dispatcher_ops vmar_ops = {.destroy = vmar_dispatcher_destroy};

zx_status_t vmar_dispatcher_create(struct vm_address_region* vmar, bool is_root,
                                   struct vmar_dispatcher** out) {
  struct vmar_dispatcher* v = heap_calloc(1, sizeof(*v));
  if (v == NULL) return ZX_ERR_NO_MEMORY;
  // VMARs carry no signals (no ZX_RIGHT_WAIT either).
  dispatcher_init(&v->base, ZX_OBJ_TYPE_VMAR, &vmar_ops, false);
  v->vmar = vmar;
  v->is_root = is_root;
  *out = v;
  return ZX_OK;
}

// ---- process registry and processes ---------------------------------------------------------

static struct {
  _Atomic int state;  // 0 none, 1 initializing, 2 ready
  struct mutex lock;
  struct list_node list;  // (K) live processes
  size_t count;           // (K)
} registry;

static void registry_init_once(void) {
  int expected = 0;
  if (atomic_load_explicit(&registry.state, memory_order_acquire) == 2) return;
  if (atomic_compare_exchange_strong(&registry.state, &expected, 1)) {
    mutex_init(&registry.lock, &registry_lock_class);
    list_initialize(&registry.list);
    atomic_store_explicit(&registry.state, 2, memory_order_release);
    return;
  }
  while (atomic_load_explicit(&registry.state, memory_order_acquire) != 2) platform_yield();
}

static void process_dispatcher_destroy(struct dispatcher* d) {
  struct process_dispatcher* p = process_dispatcher_from(d);
  mutex_lock(&registry.lock);
  list_delete(&p->registry_node);
  registry.count--;
  mutex_unlock(&registry.lock);
  // The process is gone: its address space goes with it. VMAR handles that outlive it keep their
  // regions, which are DEAD from now on (their calls give ZX_ERR_BAD_STATE).
  zx_status_t status = vm_aspace_destroy(p->aspace);
  ZX_ASSERT_MSG(status == ZX_OK, "vm_aspace_destroy: %d", status);
  dispatcher_release(&p->root_vmar->base);
  vm_aspace_release(p->aspace);
  dispatcher_fini(d);
  heap_free(p);
}

static const struct dispatcher_ops process_ops = {.destroy = process_dispatcher_destroy};

zx_status_t process_dispatcher_create(const struct vm_aspace_config* config, const char* name,
                                      size_t name_len, zx_koid_t job_koid,
                                      struct process_dispatcher** out) {
  registry_init_once();
  struct process_dispatcher* p = heap_calloc(1, sizeof(*p));
  if (p == NULL) return ZX_ERR_NO_MEMORY;
  copy_name(p->name, name, name_len);
  zx_status_t status = vm_aspace_create(config, p->name, &p->aspace);
  if (status != ZX_OK) goto out_free;
  struct vm_address_region* root = vm_aspace_root_vmar(p->aspace);
  ZX_ASSERT(root != NULL);
  status = vmar_dispatcher_create(root, true, &p->root_vmar);
  if (status != ZX_OK) {
    vm_address_region_or_mapping_release(&root->common);
    goto out_aspace;
  }
  dispatcher_init(&p->base, ZX_OBJ_TYPE_PROCESS, &process_ops, true);
  p->base.related_koid = job_koid;
  mutex_lock(&registry.lock);
  list_add_tail(&registry.list, &p->registry_node);
  registry.count++;
  mutex_unlock(&registry.lock);
  *out = p;
  return ZX_OK;

out_aspace: {
  // Nothing was mapped in the new address space yet, so tearing it down cannot fail.
  zx_status_t destroy_status = vm_aspace_destroy(p->aspace);
  ZX_DEBUG_ASSERT(destroy_status == ZX_OK);
}
  vm_aspace_release(p->aspace);
out_free:
  heap_free(p);
  return status;
}

void process_registry_snapshot(struct process_dispatcher** out, size_t max, size_t* out_count) {
  registry_init_once();
  size_t n = 0;
  mutex_lock(&registry.lock);
  for (struct list_node* node = registry.list.next; node != &registry.list && n < max;
       node = node->next) {
    struct process_dispatcher* p = containerof(node, struct process_dispatcher, registry_node);
    // A process whose last reference is being dropped is still listed until its destroy runs;
    // only take live ones.
    uint64_t refs = atomic_load(&p->base.refcount);
    while (refs > 0 && !atomic_compare_exchange_weak(&p->base.refcount, &refs, refs + 1)) {
    }
    if (refs > 0) out[n++] = p;
  }
  mutex_unlock(&registry.lock);
  *out_count = n;
}

size_t process_registry_count(void) {
  registry_init_once();
  mutex_lock(&registry.lock);
  size_t n = registry.count;
  mutex_unlock(&registry.lock);
  return n;
}

// ---- job, port, pager -----------------------------------------------------------------------

static void job_dispatcher_destroy(struct dispatcher* d) {
  dispatcher_fini(d);
  heap_free(job_dispatcher_from(d));
}

static const struct dispatcher_ops job_ops = {.destroy = job_dispatcher_destroy};

zx_status_t job_dispatcher_create(struct job_dispatcher** out) {
  struct job_dispatcher* j = heap_calloc(1, sizeof(*j));
  if (j == NULL) return ZX_ERR_NO_MEMORY;
  dispatcher_init(&j->base, ZX_OBJ_TYPE_JOB, &job_ops, true);
  copy_name(j->name, "root", 4);
  *out = j;
  return ZX_OK;
}

static void port_dispatcher_destroy(struct dispatcher* d) {
  struct port_dispatcher* p = port_dispatcher_from(d);
  struct list_node* node;
  while ((node = list_remove_head(&p->queue)) != NULL) {
    struct port_packet_node* n = containerof(node, struct port_packet_node, node);
    // A kernel packet's producer holds a reference to the port until it has taken it back.
    ZX_ASSERT_MSG(!n->kernel_owned, "port %p destroyed with a kernel packet queued", (void*)p);
    heap_free(n);
  }
  dispatcher_fini(d);
  heap_free(p);
}

static const struct dispatcher_ops port_ops = {.destroy = port_dispatcher_destroy};

zx_status_t port_dispatcher_create(uint32_t options, struct port_dispatcher** out) {
  struct port_dispatcher* p = heap_calloc(1, sizeof(*p));
  if (p == NULL) return ZX_ERR_NO_MEMORY;
  dispatcher_init(&p->base, ZX_OBJ_TYPE_PORT, &port_ops, true);
  p->options = options;
  list_initialize(&p->queue);
  *out = p;
  return ZX_OK;
}

void port_queue_kernel_packet(struct port_dispatcher* port, struct port_packet_node* n) {
  ZX_DEBUG_ASSERT(n->kernel_owned && !list_in_list(&n->node));
  mutex_lock(&port->base.lock);
  list_add_tail(&port->queue, &n->node);
  port->queued++;
  mutex_unlock(&port->base.lock);
  cond_broadcast(&port->base.cond);
}

bool port_cancel_queued(struct port_dispatcher* port, struct port_packet_node* n) {
  ZX_DEBUG_ASSERT(n->kernel_owned);
  mutex_lock(&port->base.lock);
  bool queued = list_in_list(&n->node);
  if (queued) {
    list_delete(&n->node);
    port->queued--;
  }
  mutex_unlock(&port->base.lock);
  return queued;
}

static void pager_dispatcher_destroy(struct dispatcher* d) {
  // The pager is gone: its VMOs are detached without a COMPLETE packet (sys_pager.c).
  sys_pager_on_destroy(d->koid);
  dispatcher_fini(d);
  heap_free(containerof(d, struct pager_dispatcher, base));
}

static const struct dispatcher_ops pager_ops = {.destroy = pager_dispatcher_destroy};

zx_status_t pager_dispatcher_create(struct pager_dispatcher** out) {
  struct pager_dispatcher* p = heap_calloc(1, sizeof(*p));
  if (p == NULL) return ZX_ERR_NO_MEMORY;
  dispatcher_init(&p->base, ZX_OBJ_TYPE_PAGER, &pager_ops, false);
  *out = p;
  return ZX_OK;
}

// ---- names ----------------------------------------------------------------------------------

bool dispatcher_get_name(struct dispatcher* d, char out[ZX_MAX_NAME_LEN]) {
  switch (d->type) {
    case ZX_OBJ_TYPE_VMO:
      vm_object_get_name(&vmo_dispatcher_from(d)->vmo->base, out);
      return true;
    case ZX_OBJ_TYPE_PROCESS:
      mutex_lock(&d->lock);
      memcpy(out, process_dispatcher_from(d)->name, ZX_MAX_NAME_LEN);
      mutex_unlock(&d->lock);
      return true;
    case ZX_OBJ_TYPE_JOB:
      mutex_lock(&d->lock);
      memcpy(out, job_dispatcher_from(d)->name, ZX_MAX_NAME_LEN);
      mutex_unlock(&d->lock);
      return true;
    default:
      memset(out, 0, ZX_MAX_NAME_LEN);
      return false;
  }
}

bool dispatcher_set_name(struct dispatcher* d, const char* name, size_t len) {
  switch (d->type) {
    case ZX_OBJ_TYPE_VMO:
      vm_object_set_name(&vmo_dispatcher_from(d)->vmo->base, name, len);
      return true;
    case ZX_OBJ_TYPE_PROCESS:
      mutex_lock(&d->lock);
      copy_name(process_dispatcher_from(d)->name, name, len);
      mutex_unlock(&d->lock);
      return true;
    case ZX_OBJ_TYPE_JOB:
      mutex_lock(&d->lock);
      copy_name(job_dispatcher_from(d)->name, name, len);
      mutex_unlock(&d->lock);
      return true;
    default:
      return false;
  }
}
