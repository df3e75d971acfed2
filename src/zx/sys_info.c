// zx_object_get_info: HANDLE_VALID, HANDLE_BASIC, VMO (every version), VMAR, VMAR_MAPS,
// PROCESS_MAPS and PROCESS_VMOS (every version). Single-record topics follow Fuchsia exactly:
// |actual| and |avail| are written even when the buffer is too small, which then gives
// ZX_ERR_BUFFER_TOO_SMALL. Array topics fill what fits and report how many exist.
#include <string.h>

#include "zx/zx_priv.h"

// ---- result plumbing --------------------------------------------------------------------------

// A NULL |buffer| is refused only where a record would be copied into it (as Fuchsia's copy-out
// fails there); a short buffer gives ZX_ERR_BUFFER_TOO_SMALL whatever the pointer.
static zx_status_t single_record(void* buffer, size_t buffer_size, size_t* actual, size_t* avail,
                                 const void* record, size_t record_size) {
  size_t n = 0;
  if (buffer_size >= record_size) {
    if (buffer == NULL) return ZX_ERR_INVALID_ARGS;
    memcpy(buffer, record, record_size);
    n = 1;
  }
  if (actual != NULL) *actual = n;
  if (avail != NULL) *avail = 1;
  return n == 1 ? ZX_OK : ZX_ERR_BUFFER_TOO_SMALL;
}

// An array result being produced: records are written while they fit, all are counted.
struct info_array {
  uint8_t* buffer;
  size_t capacity;  // records that fit
  size_t record_size;
  size_t count;
};

// ZX_ERR_INVALID_ARGS for a NULL |buffer| with room for a record (the first copy-out would fail).
static zx_status_t info_array_check(const void* buffer, size_t buffer_size, size_t record_size) {
  return buffer == NULL && buffer_size >= record_size ? ZX_ERR_INVALID_ARGS : ZX_OK;
}

static void info_array_init(struct info_array* a, void* buffer, size_t buffer_size,
                            size_t record_size) {
  *a = (struct info_array){buffer, buffer_size / record_size, record_size, 0};
}

// The slot for the next record (zeroed), or NULL when it does not fit; counts it either way.
static void* info_array_next(struct info_array* a) {
  void* slot = NULL;
  if (a->count < a->capacity) {
    slot = a->buffer + a->count * a->record_size;
    memset(slot, 0, a->record_size);
  }
  a->count++;
  return slot;
}

static zx_status_t info_array_finish(const struct info_array* a, size_t* actual, size_t* avail) {
  if (actual != NULL) *actual = a->count < a->capacity ? a->count : a->capacity;
  if (avail != NULL) *avail = a->count;
  return ZX_OK;
}

// ---- VMO records ------------------------------------------------------------------------------

// Fuchsia's share_count: 1 while the VMO has fewer than two mappings, else the number of distinct
// address spaces among them (past 64 distinct ones, the rest is estimated from the ratio seen so
// far, as Fuchsia does). VMO lock held.
struct share_count {
  struct vm_aspace* seen[64];
  size_t n, visited, total, result;
};

static zx_status_t share_count_visit(void* ctx, struct vm_object_mapping_node* node) {
  struct share_count* c = ctx;
  struct vm_aspace* aspace = vm_mapping_node_aspace(node);
  bool dup = false;
  for (size_t i = 0; i < c->n && !dup; i++) dup = c->seen[i] == aspace;
  if (!dup && c->n == countof(c->seen)) {
    c->result = c->n + (c->total - c->visited) * c->n / c->visited;
    return ZX_ERR_STOP;
  }
  if (!dup) c->seen[c->n++] = aspace;
  c->visited++;
  c->result = c->n;
  return ZX_ERR_NEXT;
}

static size_t vmo_share_count_locked(struct vm_object* obj) REQUIRES(&obj->hierarchy->lock) {
  struct share_count c = {.total = vm_object_mapping_count_locked(obj)};
  if (c.total < 2) return 1;
  zx_status_t status = vm_object_for_each_mapping_locked(obj, share_count_visit, &c);
  ZX_DEBUG_ASSERT(status == ZX_OK);
  return c.result;
}

// Memory attributed to [offset, offset + len) of |obj|. Slices and references own nothing: their
// pages are their parent's (Fuchsia attributes nothing to them, so nothing is counted twice).
static struct vm_attribution_counts vmo_attribution(struct vm_object* obj, uint64_t offset,
                                                    uint64_t len) {
  struct vm_attribution_counts none = {0};
  if (obj->type == VM_OBJECT_TYPE_PAGED) {
    struct vm_object_paged* vmo = vm_object_paged_from_object(obj);
    if (vm_object_paged_is_slice(vmo) || vm_object_paged_is_reference(vmo)) return none;
  }
  return vm_object_get_attributed_memory_in_range(obj, offset, len);
}

// The ZX_INFO_VMO_* flags the VM object itself determines.
static uint32_t vmo_info_flags(struct vm_object_paged* vmo, uint32_t create_options) {
  uint32_t flags = ZX_INFO_VMO_TYPE_PAGED;
  if (vm_object_paged_is_resizable(vmo) || (create_options & ZX_VMO_RESIZABLE)) {
    flags |= ZX_INFO_VMO_RESIZABLE;
  }
  if (create_options & ZX_VMO_DISCARDABLE) flags |= ZX_INFO_VMO_DISCARDABLE;
  if (vm_object_paged_is_cow_clone(vmo)) flags |= ZX_INFO_VMO_IS_COW_CLONE;
  if (vm_object_paged_is_pager_backed(vmo)) flags |= ZX_INFO_VMO_PAGER_BACKED;
  return flags;
}

// Fills the current (largest) VMO record; every older version is a prefix of it.
static void vmo_info_fill(struct vm_object_paged* vmo, uint32_t create_options, uint32_t via,
                          zx_rights_t handle_rights, zx_info_vmo_t* out) {
  memset(out, 0, sizeof(*out));
  struct vm_object* obj = &vmo->base;
  out->koid = vm_object_user_id(obj);
  vm_object_get_name(obj, out->name);
  out->size_bytes = vm_object_paged_get_size(vmo);
  out->parent_koid = vm_object_paged_parent_user_id(vmo);
  out->num_children = vm_object_paged_child_count(vmo);
  out->flags = vmo_info_flags(vmo, create_options) | via;
  out->handle_rights = handle_rights;
  vm_object_lock(obj);
  out->num_mappings = vm_object_mapping_count_locked(obj);
  out->share_count = vmo_share_count_locked(obj);
  out->cache_policy = obj->cache_policy;
  vm_object_unlock(obj);
  struct vm_object_paged_stats stats;
  vm_object_paged_get_stats(vmo, &stats);
  out->metadata_bytes = stats.metadata_bytes;
  out->committed_change_events = stats.committed_change_events;
  struct vm_attribution_counts a = vmo_attribution(obj, 0, UINT64_MAX);
  out->committed_bytes = a.uncompressed_bytes;
  out->populated_bytes = a.uncompressed_bytes + a.compressed_bytes;
  out->committed_private_bytes = a.private_uncompressed_bytes;
  out->populated_private_bytes = a.private_uncompressed_bytes + a.private_compressed_bytes;
  out->committed_scaled_bytes = a.scaled_uncompressed_bytes.integral;
  out->committed_fractional_scaled_bytes = a.scaled_uncompressed_bytes.fraction;
  struct fractional_bytes populated = vm_attribution_counts_total_scaled_bytes(&a);
  out->populated_scaled_bytes = populated.integral;
  out->populated_fractional_scaled_bytes = populated.fraction;
}

// Record size of a ZX_INFO_VMO* / ZX_INFO_PROCESS_VMOS* topic, 0 if not one.
static size_t vmo_record_size(uint32_t topic) {
  switch (topic) {
    case ZX_INFO_VMO_V1:
    case ZX_INFO_PROCESS_VMOS_V1:
      return sizeof(zx_info_vmo_v1_t);
    case ZX_INFO_VMO_V2:
    case ZX_INFO_PROCESS_VMOS_V2:
      return sizeof(zx_info_vmo_v2_t);
    case ZX_INFO_VMO_V3:
    case ZX_INFO_PROCESS_VMOS_V3:
      return sizeof(zx_info_vmo_v3_t);
    case ZX_INFO_VMO:
    case ZX_INFO_PROCESS_VMOS:
      return sizeof(zx_info_vmo_t);
    default:
      return 0;
  }
}

_Static_assert(offsetof(zx_info_vmo_t, cache_policy) == offsetof(zx_info_vmo_v1_t, cache_policy),
               "v1 is a prefix");
_Static_assert(offsetof(zx_info_vmo_t, committed_change_events) ==
                   offsetof(zx_info_vmo_v2_t, committed_change_events),
               "v2 is a prefix");
_Static_assert(offsetof(zx_info_vmo_t, populated_bytes) ==
                   offsetof(zx_info_vmo_v3_t, populated_bytes),
               "v3 is a prefix");

static zx_status_t info_vmo(struct dispatcher* d, zx_rights_t rights, uint32_t topic, void* buffer,
                            size_t buffer_size, size_t* actual, size_t* avail) {
  if (d->type != ZX_OBJ_TYPE_VMO) return ZX_ERR_WRONG_TYPE;
  struct vmo_dispatcher* v = vmo_dispatcher_from(d);
  zx_info_vmo_t info;
  vmo_info_fill(v->vmo, v->create_options, ZX_INFO_VMO_VIA_HANDLE, rights, &info);
  // Only a handle reports immutability: a child made with SNAPSHOT | NO_WRITE.
  const uint32_t immutable = ZX_VMO_CHILD_SNAPSHOT | ZX_VMO_CHILD_NO_WRITE;
  if ((v->child_options & immutable) == immutable) info.flags |= ZX_INFO_VMO_IMMUTABLE;
  return single_record(buffer, buffer_size, actual, avail, &info, vmo_record_size(topic));
}

// ---- PROCESS_VMOS -----------------------------------------------------------------------------

struct vmo_ref {
  struct vm_object_paged* vmo;  // one reference
  uint32_t create_options;
  uint32_t via;
  zx_rights_t rights;
};

struct vmo_ref_list {
  struct vmo_ref* refs;
  size_t count;
  size_t capacity;
  bool overflow;
};

static void vmo_ref_push(struct vmo_ref_list* l, struct vm_object_paged* vmo, uint32_t options,
                         uint32_t via, zx_rights_t rights) {
  if (l->count == l->capacity) {
    l->overflow = true;
    return;
  }
  vm_object_paged_acquire(vmo);
  l->refs[l->count++] = (struct vmo_ref){vmo, options, via, rights};
}

static void collect_handle_vmo(void* ctx, struct dispatcher* d, zx_rights_t rights) {
  if (d->type != ZX_OBJ_TYPE_VMO) return;
  struct vmo_dispatcher* v = vmo_dispatcher_from(d);
  vmo_ref_push(ctx, v->vmo, v->create_options, ZX_INFO_VMO_VIA_HANDLE, rights);
}

// Every mapping of the address space in address order, depth first (vm_aspace_enumerate).
static zx_status_t collect_mapped_vmo(void* ctx, struct vm_address_region_or_mapping* r,
                                      unsigned depth) {
  (void)depth;
  if (!r->is_mapping) return ZX_ERR_NEXT;
  struct vm_object* obj = vm_mapping_vmo_locked(vm_mapping_from(r));
  if (obj == NULL) return ZX_ERR_NEXT;
  if (obj->type == VM_OBJECT_TYPE_PAGED) {
    vmo_ref_push(ctx, vm_object_paged_from_object(obj), 0, ZX_INFO_VMO_VIA_MAPPING, 0);
  }
  vm_object_release(obj);
  return ZX_ERR_NEXT;
}

static zx_status_t count_mapping(void* ctx, struct vm_address_region_or_mapping* r,
                                 unsigned depth) {
  (void)depth;
  if (r->is_mapping) ++*(size_t*)ctx;
  return ZX_ERR_NEXT;
}

// Gathers the VMOs |p| reaches: through handles (only the self process owns handles: zxvm has
// one handle table) and through mappings. ZX_ERR_NO_MEMORY, ZX_ERR_BAD_STATE (aspace gone).
static zx_status_t collect_process_vmos(struct process_dispatcher* p, struct vmo_ref_list* l) {
  bool is_self = p == kernel_self_process();
  for (;;) {
    size_t handles = is_self ? handle_table_count() : 0;
    size_t mappings = 0;
    zx_status_t status = vm_aspace_enumerate(p->aspace, count_mapping, &mappings);
    if (status != ZX_OK) return status;
    *l = (struct vmo_ref_list){.capacity = handles + mappings + 8};
    l->refs = heap_calloc(l->capacity, sizeof(*l->refs));
    if (l->refs == NULL) return ZX_ERR_NO_MEMORY;
    if (is_self) handle_table_for_each(collect_handle_vmo, l);
    status = vm_aspace_enumerate(p->aspace, collect_mapped_vmo, l);
    if (status == ZX_OK && !l->overflow) return ZX_OK;
    // Handles or mappings were added meanwhile (count again), or the aspace died.
    for (size_t i = 0; i < l->count; i++) vm_object_paged_release(l->refs[i].vmo);
    heap_free(l->refs);
    if (status != ZX_OK) return status;
  }
}

static zx_status_t info_process_vmos(struct process_dispatcher* p, uint32_t topic, void* buffer,
                                     size_t buffer_size, size_t* actual, size_t* avail) {
  size_t record_size = vmo_record_size(topic);
  zx_status_t status = info_array_check(buffer, buffer_size, record_size);
  if (status != ZX_OK) return status;
  struct vmo_ref_list l;
  status = collect_process_vmos(p, &l);
  if (status != ZX_OK) return status;
  struct info_array a;
  info_array_init(&a, buffer, buffer_size, record_size);
  for (size_t i = 0; i < l.count; i++) {
    void* slot = info_array_next(&a);
    if (slot != NULL) {
      zx_info_vmo_t info;
      vmo_info_fill(l.refs[i].vmo, l.refs[i].create_options, l.refs[i].via, l.refs[i].rights,
                    &info);
      memcpy(slot, &info, record_size);
    }
    vm_object_paged_release(l.refs[i].vmo);
  }
  heap_free(l.refs);
  return info_array_finish(&a, actual, avail);
}

// ---- PROCESS_MAPS -----------------------------------------------------------------------------

// One entry of the walk, in the richest form; each topic version is written from it.
struct maps_entry {
  char name[ZX_MAX_NAME_LEN];
  zx_vaddr_t base;
  size_t size;
  size_t depth;
  zx_info_maps_type_t type;
  zx_vm_option_t mmu_flags;
  zx_koid_t vmo_koid;
  uint64_t vmo_offset;
  struct vm_attribution_counts counts;
};

struct maps_walk {
  struct info_array out;
  uint32_t topic;
  size_t depth_base;           // the depth of the walk's first VMAR
  struct vm_mapping* mapping;  // the mapping whose runs are being enumerated
  size_t depth;
};

static void maps_write_v1(const struct maps_entry* e, zx_info_maps_v1_t* r) {
  memcpy(r->name, e->name, ZX_MAX_NAME_LEN);
  r->base = e->base;
  r->size = e->size;
  r->depth = e->depth;
  r->type = e->type;
  if (e->type != ZX_INFO_MAPS_TYPE_MAPPING) return;
  r->u.mapping.mmu_flags = e->mmu_flags;
  r->u.mapping.vmo_koid = e->vmo_koid;
  r->u.mapping.vmo_offset = e->vmo_offset;
  r->u.mapping.committed_pages = e->counts.uncompressed_bytes / PAGE_SIZE;
}

static void maps_write_v2(const struct maps_entry* e, zx_info_maps_v2_t* r) {
  memcpy(r->name, e->name, ZX_MAX_NAME_LEN);
  r->base = e->base;
  r->size = e->size;
  r->depth = e->depth;
  r->type = e->type;
  if (e->type != ZX_INFO_MAPS_TYPE_MAPPING) return;
  r->u.mapping.mmu_flags = e->mmu_flags;
  r->u.mapping.vmo_koid = e->vmo_koid;
  r->u.mapping.vmo_offset = e->vmo_offset;
  r->u.mapping.committed_pages = e->counts.uncompressed_bytes / PAGE_SIZE;
  r->u.mapping.populated_pages = vm_attribution_counts_total_bytes(&e->counts) / PAGE_SIZE;
}

static void maps_write_current(const struct maps_entry* e, zx_info_maps_t* r) {
  memcpy(r->name, e->name, ZX_MAX_NAME_LEN);
  r->base = e->base;
  r->size = e->size;
  r->depth = e->depth;
  r->type = e->type;
  if (e->type != ZX_INFO_MAPS_TYPE_MAPPING) return;
  zx_info_maps_mapping_t* m = &r->u.mapping;
  const struct vm_attribution_counts* c = &e->counts;
  m->mmu_flags = e->mmu_flags;
  m->vmo_koid = e->vmo_koid;
  m->vmo_offset = e->vmo_offset;
  m->committed_bytes = c->uncompressed_bytes;
  m->populated_bytes = vm_attribution_counts_total_bytes(c);
  m->committed_private_bytes = c->private_uncompressed_bytes;
  m->populated_private_bytes = vm_attribution_counts_total_private_bytes(c);
  m->committed_scaled_bytes = c->scaled_uncompressed_bytes.integral;
  m->committed_fractional_scaled_bytes = c->scaled_uncompressed_bytes.fraction;
  struct fractional_bytes p = vm_attribution_counts_total_scaled_bytes(c);
  m->populated_scaled_bytes = p.integral;
  m->populated_fractional_scaled_bytes = p.fraction;
}

static void maps_emit(struct maps_walk* w, const struct maps_entry* e) {
  void* slot = info_array_next(&w->out);
  if (slot == NULL) return;
  if (w->topic == ZX_INFO_PROCESS_MAPS_V1) {
    maps_write_v1(e, slot);
  } else if (w->topic == ZX_INFO_PROCESS_MAPS_V2) {
    maps_write_v2(e, slot);
  } else {
    maps_write_current(e, slot);
  }
}

static zx_vm_option_t perms_from_arch(uint32_t arch_mmu_flags) {
  zx_vm_option_t perms = 0;
  if (arch_mmu_flags & ARCH_MMU_FLAG_PERM_READ) perms |= ZX_VM_PERM_READ;
  if (arch_mmu_flags & ARCH_MMU_FLAG_PERM_WRITE) perms |= ZX_VM_PERM_WRITE;
  if (arch_mmu_flags & ARCH_MMU_FLAG_PERM_EXECUTE) perms |= ZX_VM_PERM_EXECUTE;
  return perms;
}

// One entry per protection run of the mapping being walked (aspace lock held; takes the VMO
// lock, which ranks below it).
static zx_status_t maps_emit_run(void* ctx, vaddr_t base, size_t len, uint32_t arch_mmu_flags) {
  struct maps_walk* w = ctx;
  struct vm_mapping* m = w->mapping;
  struct maps_entry e = {
      .base = base, .size = len, .depth = w->depth, .type = ZX_INFO_MAPS_TYPE_MAPPING};
  e.mmu_flags = perms_from_arch(arch_mmu_flags);
  e.vmo_offset = vm_mapping_object_offset(m) + (base - vm_mapping_base(m));
  struct vm_object* obj = vm_mapping_vmo_locked(m);
  if (obj != NULL) {
    e.vmo_koid = vm_object_user_id(obj);
    vm_object_get_name(obj, e.name);
    e.counts = vmo_attribution(obj, e.vmo_offset, len);
    vm_object_release(obj);
  }
  maps_emit(w, &e);
  return ZX_ERR_NEXT;  // keep enumerating
}

// One VMAR (an entry of its own) or mapping (an entry per protection run) of the walk. The walk's
// first VMAR is at |depth_base|: 1 for a process (the aspace is 0), 0 for ZX_INFO_VMAR_MAPS.
static zx_status_t maps_visit(void* ctx, struct vm_address_region_or_mapping* r, unsigned depth) {
  struct maps_walk* w = ctx;
  if (!r->is_mapping) {
    struct vm_address_region* vmar = vm_address_region_from(r);
    struct maps_entry e = {.base = vm_region_base(r),
                           .size = vm_region_size(r),
                           .depth = depth + w->depth_base,
                           .type = ZX_INFO_MAPS_TYPE_VMAR};
    memcpy(e.name, vmar->name, ZX_MAX_NAME_LEN);
    maps_emit(w, &e);
    return ZX_ERR_NEXT;
  }
  w->mapping = vm_mapping_from(r);
  w->depth = depth + w->depth_base;
  // maps_emit_run never fails, so neither does the enumeration.
  zx_status_t status = vm_mapping_enumerate_protection_ranges_locked(
      w->mapping, vm_region_base(r), vm_region_size(r), maps_emit_run, w);
  ZX_DEBUG_ASSERT(status == ZX_OK);
  return ZX_ERR_NEXT;
}

static size_t maps_record_size(uint32_t topic) {
  switch (topic) {
    case ZX_INFO_PROCESS_MAPS_V1:
      return sizeof(zx_info_maps_v1_t);
    case ZX_INFO_PROCESS_MAPS_V2:
      return sizeof(zx_info_maps_v2_t);
    default:  // ZX_INFO_PROCESS_MAPS, ZX_INFO_VMAR_MAPS
      return sizeof(zx_info_maps_t);
  }
}

// The walks write records with the aspace lock held. A caller's buffer that is itself memory zxvm
// maps (the host backend; e.g. the self process reading its own maps into its own mapping) could
// fault into that aspace, so it is filled through a heap copy, copied out with no lock held.
// ZX_OK: |*out| is where the walk writes (|buffer| itself or the copy).
static zx_status_t maps_buffer_begin(void* buffer, size_t bytes, void** out) {
  *out = buffer;
  if (bytes == 0 || !vm_buffer_in_mapped_memory(buffer, bytes)) return ZX_OK;
  *out = heap_alloc(bytes);
  return *out != NULL ? ZX_OK : ZX_ERR_NO_MEMORY;
}

static void maps_buffer_end(void* buffer, void* target, size_t bytes_written) {
  if (target == buffer) return;
  memcpy(buffer, target, bytes_written);  // may fault: no lock held
  heap_free(target);
}

// ZX_INFO_PROCESS_MAPS (every version): the aspace at depth 0, then the whole VMAR tree. Allowed
// on the self process too, as on Fuchsia.
static zx_status_t info_process_maps(struct process_dispatcher* p, uint32_t topic, void* buffer,
                                     size_t buffer_size, size_t* actual, size_t* avail) {
  size_t record_size = maps_record_size(topic);
  zx_status_t status = info_array_check(buffer, buffer_size, record_size);
  if (status != ZX_OK) return status;
  size_t bytes = buffer_size / record_size * record_size;
  void* target;
  status = maps_buffer_begin(buffer, bytes, &target);
  if (status != ZX_OK) return status;
  struct maps_walk w = {.topic = topic, .depth_base = 1};
  info_array_init(&w.out, target, bytes, record_size);
  struct maps_entry e = {.base = vm_aspace_base(p->aspace),
                         .size = vm_aspace_size(p->aspace),
                         .depth = 0,
                         .type = ZX_INFO_MAPS_TYPE_ASPACE};
  memcpy(e.name, vm_aspace_name(p->aspace), ZX_MAX_NAME_LEN);
  maps_emit(&w, &e);
  status = vm_aspace_enumerate(p->aspace, maps_visit, &w);
  size_t written = w.out.count < w.out.capacity ? w.out.count : w.out.capacity;
  maps_buffer_end(buffer, target, status == ZX_OK ? written * record_size : 0);
  if (status != ZX_OK) return status;
  return info_array_finish(&w.out, actual, avail);
}

// ZX_INFO_VMAR_MAPS: the VMAR itself at depth 0, then everything below it. ZX_ERR_BAD_STATE once
// the VMAR (or its process) is destroyed.
static zx_status_t info_vmar_maps(struct dispatcher* d, zx_rights_t rights, void* buffer,
                                  size_t buffer_size, size_t* actual, size_t* avail) {
  if (d->type != ZX_OBJ_TYPE_VMAR) return ZX_ERR_WRONG_TYPE;
  if (!(rights & ZX_RIGHT_INSPECT)) return ZX_ERR_ACCESS_DENIED;
  zx_status_t status = info_array_check(buffer, buffer_size, sizeof(zx_info_maps_t));
  if (status != ZX_OK) return status;
  size_t bytes = buffer_size / sizeof(zx_info_maps_t) * sizeof(zx_info_maps_t);
  void* target;
  status = maps_buffer_begin(buffer, bytes, &target);
  if (status != ZX_OK) return status;
  struct maps_walk w = {.topic = ZX_INFO_VMAR_MAPS, .depth_base = 0};
  info_array_init(&w.out, target, bytes, sizeof(zx_info_maps_t));
  status = vm_address_region_enumerate(vmar_dispatcher_from(d)->vmar, maps_visit, &w);
  size_t written = w.out.count < w.out.capacity ? w.out.count : w.out.capacity;
  maps_buffer_end(buffer, target, status == ZX_OK ? written * sizeof(zx_info_maps_t) : 0);
  if (status != ZX_OK) return status;
  return info_array_finish(&w.out, actual, avail);
}

// ---- the call ---------------------------------------------------------------------------------

static bool topic_is_process_maps(uint32_t topic) {
  return topic == ZX_INFO_PROCESS_MAPS_V1 || topic == ZX_INFO_PROCESS_MAPS_V2 ||
         topic == ZX_INFO_PROCESS_MAPS;
}

static bool topic_is_process_vmos(uint32_t topic) {
  return topic == ZX_INFO_PROCESS_VMOS_V1 || topic == ZX_INFO_PROCESS_VMOS_V2 ||
         topic == ZX_INFO_PROCESS_VMOS_V3 || topic == ZX_INFO_PROCESS_VMOS;
}

static zx_status_t info_basic(struct dispatcher* d, zx_rights_t rights, void* buffer,
                              size_t buffer_size, size_t* actual, size_t* avail) {
  zx_info_handle_basic_t info = {
      .koid = d->koid, .rights = rights, .type = d->type, .related_koid = d->related_koid};
  return single_record(buffer, buffer_size, actual, avail, &info, sizeof(info));
}

static zx_status_t info_vmar(struct dispatcher* d, zx_rights_t rights, void* buffer,
                             size_t buffer_size, size_t* actual, size_t* avail) {
  if (d->type != ZX_OBJ_TYPE_VMAR) return ZX_ERR_WRONG_TYPE;
  if (!(rights & ZX_RIGHT_INSPECT)) return ZX_ERR_ACCESS_DENIED;
  struct vm_address_region* vmar = vmar_dispatcher_from(d)->vmar;
  zx_info_vmar_t info = {.base = vm_region_base(&vmar->common),
                         .len = vm_region_size(&vmar->common)};
  return single_record(buffer, buffer_size, actual, avail, &info, sizeof(info));
}

// The topics on a process handle.
static zx_status_t info_process_topic(struct dispatcher* d, zx_rights_t rights, uint32_t topic,
                                      void* buffer, size_t buffer_size, size_t* actual,
                                      size_t* avail) {
  if (d->type != ZX_OBJ_TYPE_PROCESS) return ZX_ERR_WRONG_TYPE;
  // Fuchsia's kernel asks for INSPECT only (its docs also mention READ).
  if (!(rights & ZX_RIGHT_INSPECT)) return ZX_ERR_ACCESS_DENIED;
  struct process_dispatcher* p = process_dispatcher_from(d);
  if (topic_is_process_maps(topic)) {
    return info_process_maps(p, topic, buffer, buffer_size, actual, avail);
  }
  return info_process_vmos(p, topic, buffer, buffer_size, actual, avail);
}

static bool topic_is_known(uint32_t topic) {
  return topic == ZX_INFO_HANDLE_VALID || topic == ZX_INFO_HANDLE_BASIC || topic == ZX_INFO_VMAR ||
         topic == ZX_INFO_VMAR_MAPS || vmo_record_size(topic) != 0 || topic_is_process_maps(topic);
}

ZXVM_EXPORT zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic, void* buffer,
                                           size_t buffer_size, size_t* actual, size_t* avail) {
  // Fuchsia dispatches on the topic first: an unknown one fails before the handle is looked at.
  if (!topic_is_known(topic)) return ZX_ERR_NOT_SUPPORTED;
  struct dispatcher* d;
  zx_rights_t rights;
  zx_status_t status = dispatcher_lookup(handle, ZX_OBJ_TYPE_NONE, 0, &d, &rights);
  if (status != ZX_OK) return status;
  // The buffer is only looked at once handle type and rights passed (Fuchsia copies out last).
  if (topic == ZX_INFO_HANDLE_VALID) {
    status = ZX_OK;
  } else if (topic == ZX_INFO_HANDLE_BASIC) {
    status = info_basic(d, rights, buffer, buffer_size, actual, avail);
  } else if (topic == ZX_INFO_VMAR) {
    status = info_vmar(d, rights, buffer, buffer_size, actual, avail);
  } else if (topic == ZX_INFO_VMAR_MAPS) {
    status = info_vmar_maps(d, rights, buffer, buffer_size, actual, avail);
  } else if (vmo_record_size(topic) != 0 && !topic_is_process_vmos(topic)) {
    status = info_vmo(d, rights, topic, buffer, buffer_size, actual, avail);
  } else if (topic_is_process_maps(topic) || topic_is_process_vmos(topic)) {
    status = info_process_topic(d, rights, topic, buffer, buffer_size, actual, avail);
  } else {
    status = ZX_ERR_NOT_SUPPORTED;
  }
  dispatcher_release(d);
  return status;
}
