// Package subjects holds NATS subject rules and the subscription index.
//
// It is a standalone data structure: it imports nothing of Troupe and only
// the standard library.
//
// # Subjects
//
// Valid, ValidLiteral, ValidQueue and IsLiteral apply nats-server
// v2.15.2's rules (see validate.go). Tokens and NextToken split a subject
// without allocating. Match tests one subject against one pattern, for
// permissions and the like.
//
// # The index: one writer, many lock-free readers
//
// An Index is owned by one goroutine, the account actor, which is its only
// writer. Readers are the connections' reader goroutines on the publish hot
// path, and they take no lock. The writer edits with Insert and Remove, then
// calls Publish, which returns an immutable Snapshot. It hands that to the
// readers through an atomic.Pointer that the caller owns:
//
//	// writer (account actor)
//	ix.Insert(subject, queue, sub)
//	current.Store(ix.Publish())
//
//	// reader (one per connection)
//	snap := current.Load()
//	snap.MatchInto(subject, &result) // or cache.Match(snap, subject)
//
// A snapshot never changes. A reader may keep using an old snapshot for as
// long as it likes; it will simply not see later changes.
//
// # Persistent trie, path copying
//
// The index is a trie over subject tokens. Each node holds the
// subscriptions whose subject ends there: a set of plain subscriptions and
// a set of queue groups, each with a set of members. It also holds its
// literal children and its '*' and '>' children. The trie is persistent. A
// change copies only the nodes on the path from the root to the changed
// node, and everything else is shared with earlier versions. So a change
// costs O(depth × log32 fanout) and never O(number of subscriptions).
//
// Two places could be huge: a level with a million distinct tokens, or a
// subject with a hundred thousand subscribers. So every map and set in a
// node is a pmap (pmap.go). A pmap is a copy-on-write slice of at most 8
// elements, which is what almost all nodes need. Above that it becomes a
// persistent 32-way, bitmap-compressed hash array mapped trie (hamt.go),
// which copies O(log32 n) small nodes per change. Each stored element
// carries its own key (a node its token, a group its name, a member itself),
// so a HAMT slot is one word.
//
// # Transients: batches of edits
//
// Copying the path on every Insert would make bulk loading slow. So, as
// with Clojure's transients, every node records the edit (epoch) that
// created it. Nodes created since the last Publish belong to the open edit,
// and the writer changes them in place: the second insert under the same
// parent copies nothing. Publish closes the edit by incrementing the edit
// id, in O(1). From then on those nodes are frozen, and the next change
// copies them again. A node of the open edit is never reachable from a
// published snapshot. Copying a frozen node for one edit gives it fresh
// arrays, and no reader sees it before the next Publish. So a node of the
// open edit is only ever reached by the writer. The atomic.Pointer store
// orders the writer's last in-place write before any reader's first read.
// Insert and Remove first walk down and then copy on the way back up, only
// once they know something changes. So a duplicate insert or a missing
// remove copies nothing, and Publish returns the same snapshot when nothing
// changed.
//
// Removal prunes nodes that become empty. A HAMT folds sub-nodes that are
// left with one element, and a small HAMT turns back into a slice, so
// memory follows the live subscriptions rather than their history.
//
// # Generations and the per-reader cache
//
// Each changed Publish numbers its snapshot one higher (Gen). A Cache is a
// reader's private memo of match results, like nats-server's per-connection
// L1 cache. It is valid for one snapshot, and it drops everything as soon as
// it is asked about another one. It is bounded and emptied wholesale when
// full. A hit is one map lookup with no allocation.
//
// # Matching
//
// MatchInto walks the literal path iteratively and recurses into '*'
// children. It adds a '>' child's entries at any level where tokens remain,
// and it reuses the caller's Result, so in steady state it allocates
// nothing. Queue groups are merged by name across the patterns that match,
// as in nats-server. Entries are never deduplicated: a handle inserted under
// two matching patterns is delivered twice, once per subscription. See
// Result.
package subjects
