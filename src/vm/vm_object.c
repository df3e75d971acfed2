// The VMO base object: reference counting, the hierarchy lock, name, cache policy and the mapping
// tree with its range-change walk (see vm_object.h). The walk is stack-less: it descends left
// only into subtrees whose max_last_offset reaches the range, climbs through parent pointers, and
// stops at the first node starting after the range.
#include "vm/vm_object.h"

#include "base/checked_math.h"
#include "base/platform.h"

static const struct lock_class vm_hierarchy_lock_class = {"vmo_hierarchy", LOCK_RANK_VMO};

zx_status_t vm_hierarchy_lock_create(struct vm_hierarchy_lock** out) {
  struct vm_hierarchy_lock* h = heap_alloc(sizeof(*h));
  if (!h) return ZX_ERR_NO_MEMORY;
  h->magic = VM_HIERARCHY_LOCK_MAGIC;
  atomic_init(&h->refcount, 1);
  mutex_init(&h->lock, &vm_hierarchy_lock_class);
  *out = h;
  return ZX_OK;
}

void vm_hierarchy_lock_acquire(struct vm_hierarchy_lock* h) {
  ZX_DEBUG_ASSERT_MAGIC(h, VM_HIERARCHY_LOCK_MAGIC);
  uint32_t old = atomic_fetch_add_explicit(&h->refcount, 1, memory_order_relaxed);
  ZX_ASSERT_MSG(old > 0, "acquire of dead hierarchy lock %p", (void*)h);
}

void vm_hierarchy_lock_release(struct vm_hierarchy_lock* h) {
  ZX_DEBUG_ASSERT_MAGIC(h, VM_HIERARCHY_LOCK_MAGIC);
  uint32_t old = atomic_fetch_sub_explicit(&h->refcount, 1, memory_order_acq_rel);
  ZX_ASSERT_MSG(old > 0, "hierarchy lock %p refcount underflow", (void*)h);
  if (old == 1) {
    mutex_destroy(&h->lock);
    h->magic = 0;
    heap_free(h);
  }
}

// ---- mapping tree ops ---------------------------------------------------------------------------

static inline struct vm_object_mapping_node* mnode(const struct wavl_node* n) {
  return wavl_entry(n, struct vm_object_mapping_node, node);
}

static inline uint64_t mnode_last(const struct vm_object_mapping_node* m) {
  return m->object_offset + (m->size - 1);
}

struct mapping_key {
  uint64_t offset;
  uintptr_t addr;
};

static int key_compare(uint64_t ao, uintptr_t aa, uint64_t bo, uintptr_t ba) {
  if (ao != bo) return ao < bo ? -1 : 1;
  if (aa != ba) return aa < ba ? -1 : 1;
  return 0;
}

static int mapping_compare(const struct wavl_node* a, const struct wavl_node* b) {
  return key_compare(mnode(a)->object_offset, (uintptr_t)a, mnode(b)->object_offset, (uintptr_t)b);
}

static int mapping_compare_key(const void* key, const struct wavl_node* n) {
  const struct mapping_key* k = key;
  return key_compare(k->offset, k->addr, mnode(n)->object_offset, (uintptr_t)n);
}

static bool mapping_augment(struct wavl_node* n) {
  struct vm_object_mapping_node* m = mnode(n);
  uint64_t max = mnode_last(m);
  if (n->left) max = max_u64(max, mnode(n->left)->subtree_max_last_offset);
  if (n->right) max = max_u64(max, mnode(n->right)->subtree_max_last_offset);
  if (max == m->subtree_max_last_offset) return false;
  m->subtree_max_last_offset = max;
  return true;
}

static const struct wavl_ops mapping_ops = {
    .compare = mapping_compare,
    .compare_key = mapping_compare_key,
    .augment = mapping_augment,
};

// ---- object -------------------------------------------------------------------------------------

void vm_object_init(struct vm_object* obj, enum vm_object_type type,
                    const struct vm_object_ops* ops, struct vm_hierarchy_lock* hierarchy) {
  obj->magic = VM_OBJECT_MAGIC;
  obj->type = type;
  obj->ops = ops;
  atomic_init(&obj->refcount, 1);
  obj->hierarchy = hierarchy;
  wavl_init(&obj->mapping_tree, &mapping_ops);
  obj->cache_policy = ZX_CACHE_POLICY_CACHED;
  for (size_t i = 0; i < ZX_MAX_NAME_LEN; i++) obj->name[i] = '\0';
  atomic_init(&obj->user_id, 0);
}

void vm_object_fini(struct vm_object* obj) {
  ZX_DEBUG_ASSERT_MAGIC(obj, VM_OBJECT_MAGIC);
  // No reference left, so no other thread can reach the tree: reading it unlocked is safe.
  ZX_ASSERT_MSG(wavl_is_empty(&obj->mapping_tree), "VMO %p destroyed with %zu mappings", (void*)obj,
                wavl_count(&obj->mapping_tree));
  vm_hierarchy_lock_release(obj->hierarchy);
  obj->hierarchy = NULL;
  obj->magic = 0;
}

void vm_object_acquire(struct vm_object* obj) {
  ZX_DEBUG_ASSERT_MAGIC(obj, VM_OBJECT_MAGIC);
  uint64_t old = atomic_fetch_add_explicit(&obj->refcount, 1, memory_order_relaxed);
  ZX_ASSERT_MSG(old > 0, "acquire of dead VMO %p", (void*)obj);
}

bool vm_object_try_acquire(struct vm_object* obj) {
  ZX_DEBUG_ASSERT_MAGIC(obj, VM_OBJECT_MAGIC);
  uint64_t old = atomic_load_explicit(&obj->refcount, memory_order_relaxed);
  while (old != 0) {
    if (atomic_compare_exchange_weak_explicit(&obj->refcount, &old, old + 1, memory_order_relaxed,
                                              memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

void vm_object_release(struct vm_object* obj) {
  ZX_DEBUG_ASSERT_MAGIC(obj, VM_OBJECT_MAGIC);
  uint64_t old = atomic_fetch_sub_explicit(&obj->refcount, 1, memory_order_acq_rel);
  ZX_ASSERT_MSG(old > 0, "VMO %p refcount underflow", (void*)obj);
  if (old == 1) obj->ops->destroy(obj);
}

void vm_object_lock(struct vm_object* obj) {
  ZX_DEBUG_ASSERT_MAGIC(obj, VM_OBJECT_MAGIC);
  mutex_lock(&obj->hierarchy->lock);
}

void vm_object_unlock(struct vm_object* obj) { mutex_unlock(&obj->hierarchy->lock); }

void vm_object_assert_held(const struct vm_object* obj) {
  mutex_assert_held(&obj->hierarchy->lock);
}

void vm_object_set_name(struct vm_object* obj, const char* name, size_t len) {
  vm_object_lock(obj);
  size_t i = 0;
  for (; i < len && i < ZX_MAX_NAME_LEN - 1 && name[i] != '\0'; i++) obj->name[i] = name[i];
  for (; i < ZX_MAX_NAME_LEN; i++) obj->name[i] = '\0';
  vm_object_unlock(obj);
}

void vm_object_get_name(struct vm_object* obj, char out[ZX_MAX_NAME_LEN]) {
  vm_object_lock(obj);
  for (size_t i = 0; i < ZX_MAX_NAME_LEN; i++) out[i] = obj->name[i];
  vm_object_unlock(obj);
}

zx_status_t vm_object_set_cache_policy_locked(struct vm_object* obj, uint32_t policy) {
  vm_object_assert_held(obj);
  if (policy > ZX_CACHE_POLICY_MASK) return ZX_ERR_INVALID_ARGS;
  if (!wavl_is_empty(&obj->mapping_tree)) return ZX_ERR_BAD_STATE;
  if (obj->cache_policy != ZX_CACHE_POLICY_CACHED && obj->ops->committed_bytes_locked(obj) != 0) {
    return ZX_ERR_BAD_STATE;
  }
  obj->cache_policy = policy;
  return ZX_OK;
}

zx_status_t vm_object_set_cache_policy(struct vm_object* obj, uint32_t policy) {
  vm_object_lock(obj);
  zx_status_t status = vm_object_set_cache_policy_locked(obj, policy);
  vm_object_unlock(obj);
  return status;
}

uint32_t vm_object_get_cache_policy(struct vm_object* obj) {
  vm_object_lock(obj);
  uint32_t policy = obj->cache_policy;
  vm_object_unlock(obj);
  return policy;
}

// ---- mapping tree -------------------------------------------------------------------------------

void vm_object_add_mapping_locked(struct vm_object* obj, struct vm_object_mapping_node* node) {
  vm_object_assert_held(obj);
  uint64_t last;
  ZX_ASSERT_MSG(node->size > 0 && add_u64(node->object_offset, node->size - 1, &last),
                "bad mapping range %#lx+%#lx", (unsigned long)node->object_offset,
                (unsigned long)node->size);
  ZX_ASSERT(node->range_change != NULL);
  node->subtree_max_last_offset = last;
  wavl_insert(&obj->mapping_tree, &node->node);
}

void vm_object_remove_mapping_locked(struct vm_object* obj, struct vm_object_mapping_node* node) {
  vm_object_assert_held(obj);
  wavl_erase(&obj->mapping_tree, &node->node);
}

zx_status_t vm_object_for_each_mapping_locked(struct vm_object* obj, vm_object_mapping_fn fn,
                                              void* ctx) {
  vm_object_assert_held(obj);
  for (struct wavl_node* w = wavl_first(&obj->mapping_tree); w != NULL; w = wavl_next(w)) {
    zx_status_t status = fn(ctx, containerof(w, struct vm_object_mapping_node, node));
    if (status == ZX_ERR_STOP) return ZX_OK;
    if (status != ZX_ERR_NEXT) return status;
  }
  return ZX_OK;
}

uint64_t vm_object_mapping_count_locked(const struct vm_object* obj) {
  vm_object_assert_held(obj);
  return wavl_count(&obj->mapping_tree);
}

bool vm_object_get_maximal_mapped_range_locked(const struct vm_object* obj, uint64_t* out_offset,
                                               uint64_t* out_len) {
  vm_object_assert_held(obj);
  const struct wavl_node* first = wavl_first(&obj->mapping_tree);
  if (!first) return false;
  uint64_t lo = mnode(first)->object_offset;
  uint64_t max_last = mnode(obj->mapping_tree.root)->subtree_max_last_offset;
  *out_offset = lo;
  *out_len = max_last - lo + 1;
  return true;
}

// The leftmost node of the subtree at |n| that may intersect a range starting at |offset|: skip
// every left subtree whose mappings all end before |offset|.
static struct wavl_node* descend_left(struct wavl_node* n, uint64_t offset) {
  while (n->left && mnode(n->left)->subtree_max_last_offset >= offset) n = n->left;
  return n;
}

// The in-order successor of |n|, skipping a right subtree whose mappings all end before |offset|.
static struct wavl_node* next_candidate(struct wavl_node* n, uint64_t offset) {
  if (n->right && mnode(n->right)->subtree_max_last_offset >= offset) {
    return descend_left(n->right, offset);
  }
  while (n->parent && n->parent->right == n) n = n->parent;
  return n->parent;
}

void vm_object_range_change_update_locked(struct vm_object* obj, uint64_t offset, uint64_t len,
                                          enum vm_range_change_op op) {
  vm_object_assert_held(obj);
  if (len == 0) return;
  uint64_t last;
  if (!add_u64(offset, len - 1, &last)) last = UINT64_MAX;
  struct wavl_node* root = obj->mapping_tree.root;
  if (!root || mnode(root)->subtree_max_last_offset < offset) return;
  for (struct wavl_node* n = descend_left(root, offset); n; n = next_candidate(n, offset)) {
    struct vm_object_mapping_node* m = mnode(n);
    if (m->object_offset > last) break;  // every later key starts even higher
    if (mnode_last(m) >= offset) m->range_change(m, (uint32_t)op, offset, len);
  }
}

struct vm_attribution_counts vm_object_get_attributed_memory_in_range(struct vm_object* obj,
                                                                      uint64_t offset,
                                                                      uint64_t len) {
  struct vm_attribution_counts counts = {0};
  vm_object_lock(obj);
  obj->ops->attributed_memory_in_range_locked(obj, offset, len, &counts);
  vm_object_unlock(obj);
  return counts;
}

struct vm_attribution_counts vm_object_get_attributed_memory(struct vm_object* obj) {
  return vm_object_get_attributed_memory_in_range(obj, 0, UINT64_MAX);
}

void vm_object_check_locked(const struct vm_object* obj) {
  ZX_ASSERT_MSG(obj->magic == VM_OBJECT_MAGIC, "VMO %p bad magic %#x", (const void*)obj,
                obj->magic);
  vm_object_assert_held(obj);
  ZX_ASSERT_MSG(obj->cache_policy <= ZX_CACHE_POLICY_MASK, "cache policy %u", obj->cache_policy);
  ZX_ASSERT_MSG(obj->name[ZX_MAX_NAME_LEN - 1] == '\0', "name not NUL-terminated");
  wavl_check(&obj->mapping_tree);
  for (const struct wavl_node* n = wavl_first(&obj->mapping_tree); n; n = wavl_next(n)) {
    const struct vm_object_mapping_node* m = mnode(n);
    uint64_t last;
    ZX_ASSERT_MSG(m->size > 0 && add_u64(m->object_offset, m->size - 1, &last),
                  "mapping %p range %#lx+%#lx", (const void*)m, (unsigned long)m->object_offset,
                  (unsigned long)m->size);
    ZX_ASSERT_MSG(m->subtree_max_last_offset >= last, "mapping %p max %#lx < last %#lx",
                  (const void*)m, (unsigned long)m->subtree_max_last_offset, (unsigned long)last);
    ZX_ASSERT(m->range_change != NULL);
  }
}
