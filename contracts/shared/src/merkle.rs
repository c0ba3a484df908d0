//! The item tree of a lot: one definition of leaf hashing, node hashing and the proof check,
//! used by the registry on chain and by the client off chain.
//!
//! - `leaf = blake2_128(0x00 ++ item_id)`, `node = blake2_128(0x01 ++ left ++ right)`: the tag
//!   byte keeps a leaf from ever being read as a node (second-preimage across levels).
//! - Leaves keep the order of the serials file. Each level pairs neighbours; an odd last node is
//!   carried up unchanged (never duplicated, so no two leaf lists share a root by repetition).
//! - A proof is the leaf index and the sibling hashes from the bottom up. The check also needs
//!   the lot's item count, which the registry stores: it says where a node has no sibling.
//! - 128-bit nodes keep a million-item proof at 20 x 16 bytes, small enough for a QR code;
//!   forging a member needs a 128-bit second preimage.

use crate::bounds::MAX_PROOF_LEN;
use crate::ids::{blake2_128, ItemId};
#[cfg(feature = "std")]
use alloc::vec::Vec;

/// A tree node (and root) hash.
pub type Node = [u8; 16];

/// The leaf of an item.
pub fn leaf(item: &ItemId) -> Node {
    let mut buf = [0u8; 33];
    buf[1..].copy_from_slice(item);
    blake2_128(&buf)
}

/// The parent of two nodes.
pub fn node(left: &Node, right: &Node) -> Node {
    let mut buf = [0u8; 33];
    buf[0] = 1;
    buf[1..17].copy_from_slice(left);
    buf[17..].copy_from_slice(right);
    blake2_128(&buf)
}

/// The number of siblings in the proof of leaf `index` in a tree of `count` leaves, or `None`
/// if `index` is not a leaf of such a tree.
pub fn proof_len(count: u32, index: u32) -> Option<usize> {
    if index >= count {
        return None;
    }
    let (mut i, mut n, mut len) = (index, count, 0usize);
    while n > 1 {
        if !(i % 2 == 0 && i == n.saturating_sub(1)) {
            len = len.saturating_add(1);
        }
        i /= 2;
        n = n.div_ceil(2);
    }
    Some(len)
}

/// The root that leaf `leaf` at `index` with `siblings` leads to in a tree of `count` leaves;
/// `None` if the proof has the wrong length for that position.
pub fn root_from_proof(leaf: Node, index: u32, count: u32, siblings: &[Node]) -> Option<Node> {
    if siblings.len() > MAX_PROOF_LEN || proof_len(count, index)? != siblings.len() {
        return None;
    }
    let (mut i, mut n, mut h, mut k) = (index, count, leaf, 0usize);
    while n > 1 {
        if !(i % 2 == 0 && i == n.saturating_sub(1)) {
            let s = siblings.get(k)?;
            k = k.saturating_add(1);
            h = if i % 2 == 0 { node(&h, s) } else { node(s, &h) };
        }
        i /= 2;
        n = n.div_ceil(2);
    }
    Some(h)
}

/// True iff `item` is leaf `index` of the tree of `count` leaves whose root is `root`.
pub fn verify(root: &Node, count: u32, index: u32, item: &ItemId, siblings: &[Node]) -> bool {
    root_from_proof(leaf(item), index, count, siblings).as_ref() == Some(root)
}

/// A whole tree, level by level (level 0 = leaves), for building roots and proofs off chain.
#[cfg(feature = "std")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    levels: Vec<Vec<Node>>,
}

#[cfg(feature = "std")]
impl Tree {
    /// Builds the tree over `leaves` (at least one).
    pub fn from_leaves(leaves: Vec<Node>) -> Option<Tree> {
        Tree::from_leaves_with(leaves, |prev| {
            prev.chunks(2).map(|p| if p.len() == 2 { node(&p[0], &p[1]) } else { p[0] }).collect()
        })
    }

    /// Builds the tree over `leaves` (at least one) with `next_level`, which must hash a level
    /// into the one above exactly as [`node`] pairs do, odd node carried up (the client's
    /// parallel, SIMD hashing).
    pub fn from_leaves_with(leaves: Vec<Node>, next_level: impl Fn(&[Node]) -> Vec<Node>) -> Option<Tree> {
        if leaves.is_empty() || leaves.len() > u32::MAX as usize {
            return None;
        }
        let mut levels = alloc::vec![leaves];
        while let Some(prev) = levels.last().filter(|l| l.len() > 1) {
            let next = next_level(prev);
            levels.push(next);
        }
        Some(Tree { levels })
    }

    /// Builds the tree from a level of leaves already hashed in parallel by the caller, or
    /// from item IDs.
    pub fn from_items(items: &[ItemId]) -> Option<Tree> {
        Tree::from_leaves(items.iter().map(leaf).collect())
    }

    /// The root.
    pub fn root(&self) -> Node {
        self.levels.last().expect("a tree has a root")[0]
    }

    /// The number of leaves.
    pub fn len(&self) -> u32 {
        u32::try_from(self.levels[0].len()).unwrap_or(u32::MAX)
    }

    /// A tree is never empty; this is for clippy.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The levels, leaves first (for callers that hash a level in parallel).
    pub fn levels(&self) -> &[Vec<Node>] {
        &self.levels
    }

    /// The siblings proving leaf `index`.
    pub fn proof(&self, index: u32) -> Option<Vec<Node>> {
        if index >= self.len() {
            return None;
        }
        let mut out = Vec::new();
        let mut i = index as usize;
        for level in &self.levels[..self.levels.len().saturating_sub(1)] {
            let sib = i ^ 1;
            if sib < level.len() {
                out.push(level[sib]);
            }
            i /= 2;
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::blake2_256;

    fn items(n: u32) -> Vec<ItemId> {
        (0..n).map(|i| blake2_256(&i.to_le_bytes())).collect()
    }

    #[test]
    fn every_proof_verifies_works() {
        for n in [1u32, 2, 3, 5, 8, 13, 100] {
            let it = items(n);
            let tree = Tree::from_items(&it).unwrap();
            for i in 0..n {
                let p = tree.proof(i).unwrap();
                assert_eq!(Some(p.len()), proof_len(n, i));
                assert!(verify(&tree.root(), n, i, &it[i as usize], &p), "n={n} i={i}");
            }
        }
    }

    #[test]
    fn wrong_proofs_fail() {
        let it = items(13);
        let tree = Tree::from_items(&it).unwrap();
        let root = tree.root();
        let p = tree.proof(4).unwrap();
        // wrong item, wrong index, wrong count, tampered sibling, truncated proof
        assert!(!verify(&root, 13, 4, &it[5], &p));
        assert!(!verify(&root, 13, 5, &it[4], &p));
        // the count decides where nodes have no sibling: the last leaf's proof depends on it
        let last = tree.proof(12).unwrap();
        assert!(verify(&root, 13, 12, &it[12], &last));
        assert!(!verify(&root, 14, 12, &it[12], &last));
        let mut bad = p.clone();
        bad[0][0] ^= 1;
        assert!(!verify(&root, 13, 4, &it[4], &bad));
        assert!(!verify(&root, 13, 4, &it[4], &p[1..]));
        assert!(!verify(&root, 13, 13, &it[4], &p));
    }

    #[test]
    fn single_leaf_root_is_leaf_works() {
        let it = items(1);
        assert_eq!(Tree::from_items(&it).unwrap().root(), leaf(&it[0]));
    }
}
