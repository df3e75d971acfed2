// Intrusive augmented WAVL tree (Haeupler, Sen, Tarjan, "Rank-balanced trees", 2015).
//
// This file owns the shape of every struct wavl_tree: links, ranks and the order in which the
// augmentation callback runs. It owns no memory; elements belong to the caller.
//
// Representation. Every node has an integer rank; a missing child has rank -1. The rank
// difference of a child is rank(parent) - rank(child), and outside of a rebalancing step it is
// always 1 or 2, so storing only the parity of each rank (bit 0 of rank_parity) is enough:
// equal parities mean a 2-child, different parities a 1-child, and a missing child has parity 1.
// Bit 1 of rank_parity (WAVL_LINKED) is set while the node is in a tree, so an unlinked node is
// recognisable (wavl_node_in_tree) and an all-zero node is a valid unlinked node.
//
// Main invariant (HST's rank rule): every rank difference is 1 or 2, and every leaf has rank 0.
// It gives height <= rank(root) <= 2 log2(n + 1). Rebalancing is iterative: insertion promotes
// up the tree and ends with at most one single or one double rotation; erasure demotes up the
// tree and ends with at most one single or one double rotation (so at most two rotations).
//
// Augmentation invariant: after every public call, each node's summary equals what
// ops->augment computes from the node and its children. Structural changes are done in two
// phases so that every augment call sees correct children: first the link/unlink, after which
// the summaries are recomputed from the changed spot to the root (stopping once a summary is
// unchanged and nothing above was relinked); then the rank-only rebalancing, whose rotations
// keep the set of elements under the rotated subtree's top, so recomputing the rotated nodes
// (lower first) is enough.
#include "base/wavl.h"

#include "base/assert.h"

#define WAVL_PARITY ((uint8_t)1)
#define WAVL_LINKED ((uint8_t)2)

#if ZXVM_TESTING_ENABLED
// Per-thread so concurrent tests on different trees do not disturb each other's counts.
static _Thread_local uint64_t wavl_rotations;
#endif

// Rank parity of |node|; a missing child has rank -1, hence parity 1.
static inline unsigned parity(const struct wavl_node* node) {
  return node ? (node->rank_parity & WAVL_PARITY) : 1u;
}

// Promotion and demotion by one both change the rank's parity and nothing else we store.
static inline void flip_rank(struct wavl_node* node) { node->rank_parity ^= WAVL_PARITY; }

// True when |child| (possibly NULL) of |parent| has rank difference 2. Valid only when the real
// difference is 1 or 2: during erase a 3-child reads as a 1-child, so the rebalancing loop
// tracks that case in control flow instead of asking.
static inline bool is_2_child(const struct wavl_node* parent, const struct wavl_node* child) {
  return parity(parent) == parity(child);
}

static inline bool is_2_2(const struct wavl_node* node) {
  return is_2_child(node, node->left) && is_2_child(node, node->right);
}

// Makes |new_child| take |old_child|'s place under |parent| (or as the root).
static inline void replace_child(struct wavl_tree* tree, struct wavl_node* parent,
                                 struct wavl_node* old_child, struct wavl_node* new_child) {
  if (parent == NULL) {
    tree->root = new_child;
  } else if (parent->left == old_child) {
    parent->left = new_child;
  } else {
    parent->right = new_child;
  }
}

static inline void augment_node(const struct wavl_tree* tree, struct wavl_node* node) {
  if (tree->ops->augment) tree->ops->augment(node);
}

// Recomputes summaries from |node| up. The walk may stop at the first unchanged summary, because
// each summary depends only on its node and its children; but every node at or below |moved|
// (a node relinked into a new place whose stored summary describes its old subtree) and
// |moved|'s parent (whose child pointer changed) must be recomputed regardless.
static void augment_path(const struct wavl_tree* tree, struct wavl_node* node,
                         const struct wavl_node* moved) {
  bool (*augment)(struct wavl_node*) = tree->ops->augment;
  if (augment == NULL) return;
  bool below_moved = moved != NULL;
  for (; node != NULL; node = node->parent) {
    bool changed = augment(node);
    if (node == moved) {
      below_moved = false;
      continue;
    }
    if (!changed && !below_moved) return;
  }
}

// Rotates |x| above its parent p, keeping in-order. Ranks are the caller's business. p's and x's
// subtrees changed; their summaries are recomputed, p (now lower) first. The subtree rooted at
// x's new position holds the same elements as p's did, so nothing above needs recomputing.
static void rotate_up(struct wavl_tree* tree, struct wavl_node* x) {
  struct wavl_node* p = x->parent;
  struct wavl_node* g = p->parent;
  struct wavl_node* inner;
  if (p->left == x) {
    inner = x->right;
    p->left = inner;
    x->right = p;
  } else {
    inner = x->left;
    p->right = inner;
    x->left = p;
  }
  if (inner) inner->parent = p;
  p->parent = x;
  x->parent = g;
  replace_child(tree, g, p, x);
  augment_node(tree, p);
  augment_node(tree, x);
#if ZXVM_TESTING_ENABLED
  wavl_rotations++;
#endif
}

void wavl_init(struct wavl_tree* tree, const struct wavl_ops* ops) {
  ZX_DEBUG_ASSERT(ops != NULL && ops->compare != NULL);
  tree->root = NULL;
  tree->ops = ops;
  tree->count = 0;
}

void wavl_node_init(struct wavl_node* node) {
  node->parent = NULL;
  node->left = NULL;
  node->right = NULL;
  node->rank_parity = 0;
}

bool wavl_node_in_tree(const struct wavl_node* node) {
  return (node->rank_parity & WAVL_LINKED) != 0;
}

// Restores the rank rule after |x| was linked as a leaf. Invariant of the loop: the only
// violation is that x may be a 0-child of p (same rank), which after x's promotion shows as
// equal parities.
static void insert_rebalance(struct wavl_tree* tree, struct wavl_node* x) {
  for (struct wavl_node* p = x->parent; p != NULL; x = p, p = p->parent) {
    if (parity(x) != parity(p)) return;  // x is a 1-child: rule holds
    struct wavl_node* sibling = (p->left == x) ? p->right : p->left;
    if (!is_2_child(p, sibling)) {
      // p is 0,1: promoting p makes x a 1-child and the sibling a 2-child; p may now be a
      // 0-child of its own parent.
      flip_rank(p);
      continue;
    }
    // p is 0,2. x was promoted in the previous step, so x is 1,2 and p's rank cannot grow
    // without breaking the sibling's difference: rotate instead. Both cases leave the
    // subtree's top at p's old rank, so nothing above changes.
    struct wavl_node* inner = (p->left == x) ? x->right : x->left;
    if (is_2_child(x, inner)) {
      // Outer child is x's 1-child: x rises, p drops one rank and becomes 1,1.
      rotate_up(tree, x);
      flip_rank(p);
    } else {
      // Inner child is the 1-child: it rises two levels to p's old rank (+1); x and p drop one.
      rotate_up(tree, inner);
      rotate_up(tree, inner);
      flip_rank(inner);
      flip_rank(x);
      flip_rank(p);
    }
    return;
  }
}

void wavl_insert(struct wavl_tree* tree, struct wavl_node* node) {
  ZX_DEBUG_ASSERT_MSG(!wavl_node_in_tree(node), "node %p already in a tree", (void*)node);
  struct wavl_node* parent = NULL;
  struct wavl_node** link = &tree->root;
  while (*link != NULL) {
    parent = *link;
    int c = tree->ops->compare(node, parent);
    ZX_DEBUG_ASSERT_MSG(c != 0, "duplicate key: inserting %p, equal to %p", (void*)node,
                        (void*)parent);
    link = (c < 0) ? &parent->left : &parent->right;
  }
  node->parent = parent;
  node->left = NULL;
  node->right = NULL;
  node->rank_parity = WAVL_LINKED;  // a new leaf has rank 0
  *link = node;
  tree->count++;

  // Every ancestor gained |node|; summaries first, so rotations see correct children.
  if (tree->ops->augment) {
    tree->ops->augment(node);
    if (parent) augment_path(tree, parent, NULL);
  }
  insert_rebalance(tree, node);
}

// Single or double rotation ending an erase: |x| (possibly NULL) is a 3-child of |p| on the side
// |x_left|, its sibling s is a 1-child that is not 2,2. Ranks below are relative to k = rank(p).
static void erase_rotate(struct wavl_tree* tree, struct wavl_node* p, bool x_left) {
  struct wavl_node* s = x_left ? p->right : p->left;  // rank k-1
  struct wavl_node* inner = x_left ? s->left : s->right;
  struct wavl_node* outer = x_left ? s->right : s->left;
  if (!is_2_child(s, outer)) {
    // Outer child is a 1-child (rank k-2): s rises to rank k, p drops to k-1 with x (k-3) and
    // inner (k-2 or k-3) under it. If that would leave p a leaf of rank 1, it drops to 0 instead
    // (two demotions: parity unchanged).
    rotate_up(tree, s);
    flip_rank(s);
    if (p->left != NULL || p->right != NULL) flip_rank(p);
  } else {
    // Outer child is a 2-child, so inner is a 1-child (rank k-2): it rises to rank k (two
    // promotions, parity unchanged) above p (k-2, two demotions) and s (k-2, one demotion).
    rotate_up(tree, inner);
    rotate_up(tree, inner);
    flip_rank(s);
  }
}

// Restores the rank rule after a node was unlinked from under |p| on side |x_left|; the child
// now there (possibly NULL) is a 3-child when |x_is_3_child|, else a 2-child.
static void erase_rebalance(struct wavl_tree* tree, struct wavl_node* p, bool x_left,
                            bool x_is_3_child) {
  if (!x_is_3_child) {
    // Only one violation is possible: p became a leaf of rank 1 (2,2 leaf). Demote it; that may
    // make p a 3-child of its parent.
    if (p->left != NULL || p->right != NULL || parity(p) == 0) return;
    struct wavl_node* g = p->parent;
    bool was_2_child = g != NULL && is_2_child(g, p);
    flip_rank(p);
    if (!was_2_child) return;
    x_left = (g->left == p);
    p = g;
  }
  // Loop invariant: the child of p on side x_left is a 3-child; everything else obeys the rule.
  // p has rank >= 2, so its other child exists.
  for (;;) {
    struct wavl_node* s = x_left ? p->right : p->left;
    struct wavl_node* g = p->parent;
    bool p_was_2_child = g != NULL && is_2_child(g, p);
    if (is_2_child(p, s)) {
      // Demote p: x becomes a 2-child and s a 1-child.
      flip_rank(p);
    } else if (is_2_2(s)) {
      // Demote p and s: x becomes a 2-child, s stays a 1-child, s's children become 1-children.
      flip_rank(p);
      flip_rank(s);
    } else {
      erase_rotate(tree, p, x_left);
      return;
    }
    if (!p_was_2_child) return;  // p's difference went from 1 to 2 (or p is the root)
    x_left = (g->left == p);
    p = g;
  }
}

void wavl_erase(struct wavl_tree* tree, struct wavl_node* node) {
  ZX_DEBUG_ASSERT_MSG(wavl_node_in_tree(node), "node %p not in a tree", (void*)node);
  ZX_DEBUG_ASSERT(tree->count > 0);
  // The position that disappears is |node|'s own if it has at most one child, else its
  // successor's, in which case the successor is relinked into |node|'s place.
  struct wavl_node* p;      // parent of the vanishing position, after relinking
  struct wavl_node* child;  // the vanishing position's only child (or NULL), which replaces it
  struct wavl_node* moved = NULL;
  bool x_left;
  bool x_is_3_child;
  if (node->left != NULL && node->right != NULL) {
    struct wavl_node* succ = node->right;
    while (succ->left != NULL) succ = succ->left;
    child = succ->right;
    if (succ == node->right) {
      // succ keeps its right subtree and takes node's rank, so its old difference was against
      // node's rank.
      p = succ;
      x_left = false;
      x_is_3_child = is_2_child(node, succ);
    } else {
      p = succ->parent;
      x_left = true;
      x_is_3_child = is_2_child(p, succ);
      p->left = child;
      if (child) child->parent = p;
      succ->right = node->right;
      succ->right->parent = succ;
    }
    succ->left = node->left;
    succ->left->parent = succ;
    succ->parent = node->parent;
    replace_child(tree, node->parent, node, succ);
    succ->rank_parity = node->rank_parity;
    moved = succ;
  } else {
    child = node->left ? node->left : node->right;
    p = node->parent;
    x_left = (p != NULL && p->left == node);
    // child's rank is node's minus one, so its difference to p grew by one: a 2-child of p
    // leaves a 3-child.
    x_is_3_child = (p != NULL && is_2_child(p, node));
    replace_child(tree, p, node, child);
    if (child) child->parent = p;
  }
  tree->count--;
  wavl_node_init(node);
  if (p == NULL) return;  // removed the root; its only child (if any) is a valid tree
  augment_path(tree, p, moved);
  erase_rebalance(tree, p, x_left, x_is_3_child);
}

void wavl_augment_update(struct wavl_tree* tree, struct wavl_node* node) {
  ZX_DEBUG_ASSERT_MSG(wavl_node_in_tree(node), "node %p not in a tree", (void*)node);
  augment_path(tree, node, NULL);
}

struct wavl_node* wavl_find(const struct wavl_tree* tree, const void* key) {
  struct wavl_node* n = tree->root;
  while (n != NULL) {
    int c = tree->ops->compare_key(key, n);
    if (c == 0) return n;
    n = (c < 0) ? n->left : n->right;
  }
  return NULL;
}

struct wavl_node* wavl_lower_bound(const struct wavl_tree* tree, const void* key) {
  struct wavl_node* best = NULL;
  struct wavl_node* n = tree->root;
  while (n != NULL) {
    if (tree->ops->compare_key(key, n) <= 0) {
      best = n;  // n >= key; a smaller one can only be to the left
      n = n->left;
    } else {
      n = n->right;
    }
  }
  return best;
}

struct wavl_node* wavl_upper_bound(const struct wavl_tree* tree, const void* key) {
  struct wavl_node* best = NULL;
  struct wavl_node* n = tree->root;
  while (n != NULL) {
    if (tree->ops->compare_key(key, n) < 0) {
      best = n;
      n = n->left;
    } else {
      n = n->right;
    }
  }
  return best;
}

struct wavl_node* wavl_first(const struct wavl_tree* tree) {
  struct wavl_node* n = tree->root;
  if (n == NULL) return NULL;
  while (n->left != NULL) n = n->left;
  return n;
}

struct wavl_node* wavl_last(const struct wavl_tree* tree) {
  struct wavl_node* n = tree->root;
  if (n == NULL) return NULL;
  while (n->right != NULL) n = n->right;
  return n;
}

struct wavl_node* wavl_next(const struct wavl_node* node) {
  if (node->right != NULL) {
    struct wavl_node* n = node->right;
    while (n->left != NULL) n = n->left;
    return n;
  }
  // Climb until we come up from a left subtree.
  while (node->parent != NULL && node->parent->right == node) node = node->parent;
  return node->parent;
}

struct wavl_node* wavl_prev(const struct wavl_node* node) {
  if (node->left != NULL) {
    struct wavl_node* n = node->left;
    while (n->right != NULL) n = n->right;
    return n;
  }
  while (node->parent != NULL && node->parent->left == node) node = node->parent;
  return node->parent;
}

uint64_t wavl_debug_rotation_count(void) {
#if ZXVM_TESTING_ENABLED
  return wavl_rotations;
#else
  return 0;
#endif
}

// ---- checker ----

struct wavl_check_state {
  const struct wavl_tree* tree;
  const struct wavl_node* prev;  // previous node in order
  size_t visited;
};

// Smallest number of nodes a valid WAVL subtree of rank |rank| can hold: a leaf for rank 0, a
// node over a leaf for rank 1, then a node over two minimal subtrees of rank - 2. Saturates.
static uint64_t wavl_min_size(int rank) {
  if (rank >= 120) return UINT64_MAX;
  // size + 1 doubles every two ranks: 2 << (rank / 2) for even ranks, 3 << (rank / 2) for odd.
  uint64_t plus_one = ((rank & 1) ? 3ull : 2ull) << (rank / 2);
  return plus_one - 1;
}

// Validates the subtree at |node| (at |depth| below the root) and returns its rank,
// reconstructed from the parity bits. Recursive: it is a debug checker, and the depth is bounded
// by the count check before each descent.
static int wavl_check_subtree(struct wavl_check_state* st, const struct wavl_node* node,
                              int depth) {
  const struct wavl_tree* tree = st->tree;
  if (node == NULL) return -1;
  if (++st->visited > tree->count || depth > 128) {
    ZX_PANIC("wavl %p: more nodes than count %zu (or a cycle) at node %p depth %d", (void*)tree,
             tree->count, (void*)node, depth);
  }
  if ((node->rank_parity & WAVL_LINKED) == 0) {
    ZX_PANIC("wavl %p: node %p in the tree is not marked linked (rank_parity %#x)", (void*)tree,
             (void*)node, node->rank_parity);
  }
  if (node->rank_parity & ~(WAVL_LINKED | WAVL_PARITY)) {
    ZX_PANIC("wavl %p: node %p has stray rank_parity bits %#x", (void*)tree, (void*)node,
             node->rank_parity);
  }
  for (int side = 0; side < 2; side++) {
    const struct wavl_node* c = side ? node->right : node->left;
    if (c != NULL && c->parent != node) {
      ZX_PANIC("wavl %p: %s child %p of %p has parent %p", (void*)tree, side ? "right" : "left",
               (void*)c, (void*)node, (void*)c->parent);
    }
  }
  int left_rank = wavl_check_subtree(st, node->left, depth + 1);
  if (st->prev != NULL && tree->ops->compare(st->prev, node) >= 0) {
    ZX_PANIC("wavl %p: order broken: %p then %p (compare %d)", (void*)tree, (void*)st->prev,
             (void*)node, tree->ops->compare(st->prev, node));
  }
  st->prev = node;
  int right_rank = wavl_check_subtree(st, node->right, depth + 1);

  // The rank is one or two above the higher child; the stored parity picks which.
  int hi = left_rank > right_rank ? left_rank : right_rank;
  int lo = left_rank > right_rank ? right_rank : left_rank;
  int rank = hi + 1;
  if ((unsigned)(rank & 1) != parity(node)) rank++;
  if (rank - lo > 2) {
    ZX_PANIC("wavl %p: node %p rank %d has child ranks %d,%d: difference %d > 2", (void*)tree,
             (void*)node, rank, left_rank, right_rank, rank - lo);
  }
  if (node->left == NULL && node->right == NULL && rank != 0) {
    ZX_PANIC("wavl %p: leaf %p has rank %d (a 2,2 leaf)", (void*)tree, (void*)node, rank);
  }
  // Post-order, so the children's summaries were confirmed first.
  if (tree->ops->augment != NULL && tree->ops->augment((struct wavl_node*)node)) {
    ZX_PANIC("wavl %p: node %p had a stale augmented summary", (void*)tree, (void*)node);
  }
  return rank;
}

void wavl_check(const struct wavl_tree* tree) {
  if (tree->ops == NULL || tree->ops->compare == NULL) {
    ZX_PANIC("wavl %p: no ops or compare", (void*)tree);
  }
  if (tree->root != NULL && tree->root->parent != NULL) {
    ZX_PANIC("wavl %p: root %p has parent %p", (void*)tree, (void*)tree->root,
             (void*)tree->root->parent);
  }
  struct wavl_check_state st = {.tree = tree, .prev = NULL, .visited = 0};
  int rank = wavl_check_subtree(&st, tree->root, 0);
  if (st.visited != tree->count) {
    ZX_PANIC("wavl %p: count %zu but %zu nodes reachable", (void*)tree, tree->count, st.visited);
  }
  // The rank rule bounds the root's rank, hence the height, by the size.
  if (rank >= 0 && wavl_min_size(rank) > tree->count) {
    ZX_PANIC("wavl %p: root rank %d needs at least %llu nodes, have %zu", (void*)tree, rank,
             (unsigned long long)wavl_min_size(rank), tree->count);
  }
}
