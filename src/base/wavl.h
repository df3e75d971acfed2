// Intrusive augmented WAVL tree (weak AVL: rank-balanced, at most two rotations per erase, height
// <= 2 log2 n). Elements embed a struct wavl_node; the tree never allocates. Keys live in the
// elements and are compared through wavl_ops. An optional augmentation callback keeps per-node
// summary data (e.g. a VMAR's max gap, a VMO mapping tree's max last offset) correct through
// every insert, erase and rotation: it is called on a node whenever the node's children changed,
// bottom-up, and recomputes the node's summary from the node and its (already correct) children.
//
// Invariants (checked by wavl_check): in-order keys strictly increasing; parent pointers match;
// every rank difference is 1 or 2; every leaf has rank 0 (both rank differences 1); the
// augmentation callback reports no change on any node.
#ifndef ZXVM_BASE_WAVL_H_
#define ZXVM_BASE_WAVL_H_

#include "base/compiler.h"

struct wavl_node {
  struct wavl_node* parent;
  struct wavl_node* left;
  struct wavl_node* right;
  uint8_t rank_parity;  // WAVL bookkeeping; opaque to users
};

struct wavl_ops {
  // Orders two elements: <0, 0, >0.
  int (*compare)(const struct wavl_node* a, const struct wavl_node* b);
  // Orders a search key (whatever the user passes to find/lower_bound) against an element.
  int (*compare_key)(const void* key, const struct wavl_node* node);
  // Optional. Recomputes |node|'s summary from |node| and its children; returns true if the
  // stored summary changed (lets the tree stop propagating early).
  bool (*augment)(struct wavl_node* node);
};

struct wavl_tree {
  struct wavl_node* root;
  const struct wavl_ops* ops;
  size_t count;
};

void wavl_init(struct wavl_tree* tree, const struct wavl_ops* ops);
static inline bool wavl_is_empty(const struct wavl_tree* tree) { return tree->root == NULL; }
static inline size_t wavl_count(const struct wavl_tree* tree) { return tree->count; }
// True when |node| is linked into some tree (wavl_node_init marks it unlinked). A node in a tree
// has a flag set in rank_parity, so an all-zero node also counts as unlinked.
void wavl_node_init(struct wavl_node* node);
bool wavl_node_in_tree(const struct wavl_node* node);

// Inserts |node|; keys must be unique (asserted in debug builds). O(log n).
void wavl_insert(struct wavl_tree* tree, struct wavl_node* node);
// Removes |node|, which must be in |tree|. O(log n). The node is left unlinked.
void wavl_erase(struct wavl_tree* tree, struct wavl_node* node);

// Lookups by key (compare_key). NULL when none.
struct wavl_node* wavl_find(const struct wavl_tree* tree, const void* key);
struct wavl_node* wavl_lower_bound(const struct wavl_tree* tree, const void* key);  // first >= key
struct wavl_node* wavl_upper_bound(const struct wavl_tree* tree, const void* key);  // first > key

// In-order iteration.
struct wavl_node* wavl_first(const struct wavl_tree* tree);
struct wavl_node* wavl_last(const struct wavl_tree* tree);
struct wavl_node* wavl_next(const struct wavl_node* node);
struct wavl_node* wavl_prev(const struct wavl_node* node);

// Full O(n) validation of the invariants above; panics with details on the first violation.
void wavl_check(const struct wavl_tree* tree);

// Recomputes the augmented summaries of |node| and its ancestors, after the caller changed data
// of |node| that its summary depends on, without changing its order relative to the other
// elements (e.g. a mapping shrunk or grown in place). |node| must be in |tree|. O(log n).
void wavl_augment_update(struct wavl_tree* tree, struct wavl_node* node);

// Testing build only (0 otherwise): rotations performed by this thread so far, across all trees,
// so tests can verify the per-operation rotation bound.
uint64_t wavl_debug_rotation_count(void);

#define wavl_entry(node, type, member) containerof(node, type, member)

#endif  // ZXVM_BASE_WAVL_H_
