// Child VMOs (see vm_object_paged_create_child in vm_object_paged.h): argument validation per
// zx-abi.md, the choice between a bidirectional snapshot (hidden node, vm_cow_pages_clone.c), a
// unidirectional child (pager trees), a slice and a reference (further views of the parent's
// node), and the VMO-level parent/children links behind ZX_VMO_ZERO_CHILDREN.
//
// The VMO tree is separate from the node tree: it records who was created from whom (for
// num_children, parent_koid and the zero-children signal) and holds no references. When a VMO
// dies its children are handed to its parent, so a parent keeps "having children" while any
// transitive child lives, as Zircon reports it.
#include "base/checked_math.h"
#include "base/platform.h"
#include "vm/vm_object_paged.h"

enum child_kind { KIND_SNAPSHOT, KIND_UNIDIRECTIONAL, KIND_SLICE, KIND_REFERENCE };

struct child_request {
  uint32_t options;
  uint64_t offset;       // in the parent VMO
  uint64_t size;         // exact size asked for (content size)
  uint64_t rounded;      // page-rounded size
  uint64_t node_offset;  // in the parent's node
  enum child_kind kind;
};

static bool is_single_bit(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

// Checks that need no lock: bits, alignment, combinations, size rounding.
// True when some view of |cow| (the VMO, a reference) is resizable. Lock held.
static bool node_has_resizable_view(struct vm_cow_pages* cow) REQUIRES(&cow->hierarchy->lock) {
  list_for_every(&cow->views, n) {
    if (vm_object_paged_is_resizable(containerof(n, struct vm_object_paged, view_node))) {
      return true;
    }
  }
  return false;
}

static zx_status_t check_options(struct child_request* r) {
  uint32_t type = r->options & VM_CHILD_TYPE_MASK;
  if ((r->options & ~VM_CHILD_OPTIONS_MASK) || !is_single_bit(type)) return ZX_ERR_INVALID_ARGS;
  bool resizable = (r->options & VM_CHILD_RESIZABLE) != 0;
  if (resizable && (type == VM_CHILD_SLICE || (r->options & VM_CHILD_NO_WRITE))) {
    return ZX_ERR_INVALID_ARGS;
  }
  if (type == VM_CHILD_REFERENCE) return ZX_OK;  // offset and size are not used
  if (!IS_PAGE_ALIGNED(r->offset)) return ZX_ERR_INVALID_ARGS;
  if (!roundup_page_u64(r->size, &r->rounded) || r->rounded > VM_OBJECT_PAGED_MAX_SIZE) {
    return ZX_ERR_OUT_OF_RANGE;
  }
  uint64_t end;
  if (!add_u64(r->offset, r->rounded, &end)) {
    return type == VM_CHILD_SLICE ? ZX_ERR_INVALID_ARGS : ZX_ERR_OUT_OF_RANGE;
  }
  return ZX_OK;
}

// Checks against the parent's state and picks the kind of child. Lock held.
static zx_status_t check_parent_locked(struct vm_object_paged* parent, struct child_request* r)
    REQUIRES(&parent->base.hierarchy->lock) {
  ZX_DEBUG_ASSERT(parent->cow->hierarchy == parent->base.hierarchy);
  vm_cow_pages_assert_held(parent->cow);
  struct vm_cow_pages* cow = parent->cow;
  vm_cow_pages_assert_held(cow);
  uint32_t type = r->options & VM_CHILD_TYPE_MASK;
  uint64_t parent_size = vm_object_paged_get_size_locked(parent);
  bool pager = vm_cow_pages_is_pager_backed_locked(cow);
  if (type == VM_CHILD_REFERENCE) {
    if ((r->options & VM_CHILD_RESIZABLE) && !vm_object_paged_is_resizable(parent)) {
      return ZX_ERR_NOT_SUPPORTED;
    }
    r->kind = KIND_REFERENCE;
    return ZX_OK;
  }
  if (!add_u64(parent->cow_offset, r->offset, &r->node_offset)) return ZX_ERR_INVALID_ARGS;
  if (type == VM_CHILD_SLICE) {
    if (!range_in_bounds(r->offset, r->rounded, parent_size)) return ZX_ERR_INVALID_ARGS;
    // A slice has a fixed window, so the pages under it must not be able to go away: refuse it
    // when any view of the node can resize it (a non-resizable reference of a resizable VMO
    // shares the resizable node).
    if (node_has_resizable_view(cow)) return ZX_ERR_NOT_SUPPORTED;
    r->kind = KIND_SLICE;
    return ZX_OK;
  }
  if (type == VM_CHILD_SNAPSHOT && pager) return ZX_ERR_NOT_SUPPORTED;
  if (parent->base.cache_policy != ZX_CACHE_POLICY_CACHED) return ZX_ERR_BAD_STATE;
  if (cow->pinned_pages != 0) return ZX_ERR_BAD_STATE;
  if (pager) {
    // Zircon's choice in a pager tree: a snapshot-modified child of a node that has a parent must
    // be bidirectional (it snapshots what the node modified); any other child is unidirectional
    // while the node is the root or in a unidirectional chain (no hidden parent), else it is
    // upgraded to a bidirectional snapshot. A slice view only takes unidirectional children.
    bool need_bidirectional = type == VM_CHILD_SNAPSHOT_MODIFIED && cow->parent != NULL;
    bool can_unidirectional = cow->parent == NULL || !cow->parent->hidden;
    if (!need_bidirectional && can_unidirectional) {
      r->kind = KIND_UNIDIRECTIONAL;
      return ZX_OK;
    }
    if (parent->options & VM_OBJECT_PAGED_SLICE) return ZX_ERR_NOT_SUPPORTED;
  }
  // A bidirectional snapshot turns the node hidden; it must not have children of its own.
  if (cow->child_count != 0) return ZX_ERR_NOT_SUPPORTED;
  r->kind = KIND_SNAPSHOT;
  return ZX_OK;
}

// The bytes of the parent's node a child at |r->offset| may read (the parent's own extent).
static uint64_t visible_len_locked(struct vm_object_paged* parent, const struct child_request* r)
    REQUIRES(&parent->base.hierarchy->lock) {
  uint64_t parent_size = vm_object_paged_get_size_locked(parent);
  return r->offset < parent_size ? parent_size - r->offset : 0;
}

// Builds the child's node (or picks the shared one) and initialises |child| as its view.
static zx_status_t make_child_locked(struct vm_object_paged* parent, struct child_request* r,
                                     struct vm_object_paged* child)
    REQUIRES(&parent->base.hierarchy->lock) {
  vm_cow_pages_assert_held(parent->cow);
  struct vm_cow_pages* cow = parent->cow;
  vm_cow_pages_assert_held(cow);
  struct vm_cow_pages *node = NULL, *self;
  uint32_t opts = (r->options & VM_CHILD_RESIZABLE) ? VM_OBJECT_PAGED_RESIZABLE : 0;
  uint64_t cow_offset = 0, content = r->size;
  zx_status_t status = ZX_OK;
  switch (r->kind) {
    case KIND_SNAPSHOT:
      status = vm_cow_pages_create_snapshot_locked(cow, r->node_offset, r->rounded,
                                                   visible_len_locked(parent, r), &self, &node);
      if (status != ZX_OK) return status;
      // Both sides now read the hidden node's pages: no mapping of them may stay writable.
      vm_cow_pages_assert_held(self);
      vm_cow_pages_range_change_locked(self, 0, self->size, RANGE_CHANGE_OP_REMOVE_WRITE);
      opts |= VM_OBJECT_PAGED_COW_CLONE;
      break;
    case KIND_UNIDIRECTIONAL:
      status = vm_cow_pages_create_unidirectional_locked(cow, r->node_offset, r->rounded,
                                                         visible_len_locked(parent, r), &node);
      if (status != ZX_OK) return status;
      opts |= VM_OBJECT_PAGED_COW_CLONE;
      break;
    case KIND_SLICE:
      node = cow;
      vm_cow_pages_acquire_locked(cow);
      cow_offset = r->node_offset;
      opts |= VM_OBJECT_PAGED_SLICE;
      break;
    case KIND_REFERENCE:
      node = cow;
      vm_cow_pages_acquire_locked(cow);
      cow_offset = parent->cow_offset;
      opts |= parent->options & VM_OBJECT_PAGED_SLICE;
      opts |= VM_OBJECT_PAGED_REFERENCE;
      content = parent->content_size;
      break;
  }
  if ((r->options & VM_CHILD_NO_WRITE) && (opts & VM_OBJECT_PAGED_COW_CLONE) &&
      !(opts & VM_OBJECT_PAGED_RESIZABLE)) {
    opts |= VM_OBJECT_PAGED_IMMUTABLE;
  }
  vm_hierarchy_lock_acquire(parent->base.hierarchy);
  vm_object_paged_init_view(child, opts, parent->base.hierarchy, node, cow_offset, content);
  if (r->kind == KIND_SLICE) child->slice_size = r->rounded;
  if (r->kind == KIND_REFERENCE) child->slice_size = parent->slice_size;
  child->parent_offset_total =
      r->kind == KIND_REFERENCE ? parent->parent_offset_total : r->node_offset;
  child->parent_user_id = vm_object_user_id(&parent->base);
  for (size_t i = 0; i < ZX_MAX_NAME_LEN; i++) child->base.name[i] = parent->base.name[i];
  return ZX_OK;
}

zx_status_t vm_object_paged_create_child(struct vm_object_paged* parent, uint32_t options,
                                         uint64_t offset, uint64_t size,
                                         struct vm_object_paged** out) {
  struct child_request r = {.options = options, .offset = offset, .size = size};
  zx_status_t status = check_options(&r);
  if (status != ZX_OK) return status;
  struct vm_object_paged* child = heap_alloc(sizeof(*child));
  if (child == NULL) return ZX_ERR_NO_MEMORY;
  vm_object_lock(&parent->base);
  status = check_parent_locked(parent, &r);
  if (status == ZX_OK) status = make_child_locked(parent, &r, child);
  bool first = false;
  if (status == ZX_OK) {
    child->parent = parent;
    list_add_tail(&parent->children, &child->child_node);
    first = parent->child_count++ == 0;
    VM_VALIDATE(vm_object_paged_check_locked, parent);
    vm_object_assert_held(&child->base);  // the child joined the parent's lock
    VM_VALIDATE(vm_object_paged_check_locked, child);
  }
  vm_object_unlock(&parent->base);
  if (status != ZX_OK) {
    heap_free(child);
    return status;
  }
  if (first) vm_object_paged_notify_children(parent);
  *out = child;
  return ZX_OK;
}

struct vm_object_paged* vm_object_paged_unlink_child_locked(struct vm_object_paged* vmo) {
  vm_object_assert_held(&vmo->base);
  struct vm_object_paged* parent = vmo->parent;
  // Our children become our parent's (or orphans): the parent still "has children" through them.
  while (!list_is_empty(&vmo->children)) {
    struct vm_object_paged* c =
        list_entry(list_remove_head(&vmo->children), struct vm_object_paged, child_node);
    vmo->child_count--;
    c->parent = parent;
    if (parent != NULL) {
      list_add_tail(&parent->children, &c->child_node);
      parent->child_count++;
    } else {
      list_node_init(&c->child_node);
    }
  }
  if (parent == NULL) return NULL;
  list_delete(&vmo->child_node);
  vmo->parent = NULL;
  parent->child_count--;
  // The parent may be dying concurrently (waiting for this lock): then nobody needs the news.
  if (parent->child_count != 0 || !vm_object_try_acquire(&parent->base)) return NULL;
  return parent;
}

void vm_object_paged_notify_children(struct vm_object_paged* vmo) {
  vm_object_lock(&vmo->base);
  vm_object_paged_children_fn fn = vmo->children_observer;
  void* ctx = vmo->children_observer_ctx;
  vm_object_unlock(&vmo->base);
  if (fn != NULL) fn(vmo, ctx);
}

zx_status_t vm_object_paged_set_cache_policy(struct vm_object_paged* vmo, uint32_t policy) {
  if (policy > ZX_CACHE_POLICY_MASK) return ZX_ERR_INVALID_ARGS;
  vm_object_lock(&vmo->base);
  vm_object_assert_held(&vmo->base);
  struct vm_cow_pages* cow = vmo->cow;
  vm_cow_pages_assert_held(cow);
  zx_status_t status;
  // As Zircon: no children, not a child (a slice included), nothing pinned; then the generic rules
  // (not mapped; committed pages only while leaving CACHED).
  if (vmo->child_count != 0 || vmo->parent != NULL ||
      vm_cow_pages_pinned_in_range_locked(cow, 0, cow->size) != 0) {
    status = ZX_ERR_BAD_STATE;
  } else {
    status = vm_object_set_cache_policy_locked(&vmo->base, policy);
  }
  vm_object_unlock(&vmo->base);
  return status;
}

uint32_t vm_object_paged_child_count(struct vm_object_paged* vmo) {
  vm_object_lock(&vmo->base);
  uint32_t n = vmo->child_count;
  vm_object_unlock(&vmo->base);
  return n;
}

void vm_object_paged_set_children_observer(struct vm_object_paged* vmo,
                                           vm_object_paged_children_fn fn, void* ctx) {
  vm_object_lock(&vmo->base);
  vmo->children_observer = fn;
  vmo->children_observer_ctx = ctx;
  vm_object_unlock(&vmo->base);
}

bool vm_object_paged_is_pager_backed(struct vm_object_paged* vmo) {
  vm_object_lock(&vmo->base);
  ZX_DEBUG_ASSERT(vmo->cow->hierarchy == vmo->base.hierarchy);
  vm_cow_pages_assert_held(vmo->cow);
  bool pager = vm_cow_pages_is_pager_backed_locked(vmo->cow);
  vm_object_unlock(&vmo->base);
  return pager;
}
