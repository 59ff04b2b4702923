//! The hash maps of the hot paths: std's maps with foldhash instead of SipHash.
//!
//! A conversion looks up a key for every label cell (the vocabulary), every merged region,
//! every indicator's texts (C012) and every link and file name of the list sheets;
//! SipHash was about 2 % of its CPU. foldhash is seeded per process like std's
//! `RandomState`, so keys from a hostile file cannot be chosen to collide, and nothing
//! depends on a map's order (std's is random too).

/// A `HashMap` with foldhash; build it with `Map::default()` or `collect()`.
pub type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A `HashSet` with foldhash.
pub type Set<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
