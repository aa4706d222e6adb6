// Package spool is the disk layer of kafkasink's spool: a write-ahead log of
// opaque records in CRC-framed, pre-allocated segment files, made durable
// with one fdatasync per group commit.
//
// # Files in the spool directory
//
//	otelrelayer-spool.lock                  flock: one producer per directory
//	otelrelayer-spool.manifest              the live segments [first, last]: written once the spool exists
//	otelrelayer-spool-%016x.seg             segments: a header, then commits, then zeros
//
// A segment is created at its full size (4 MiB by default, larger for a
// bigger commit, smaller on a nearly full disk), filled with zeros and
// fsynced before it is named in the manifest, so that a commit overwrites
// allocated, zeroed blocks and its fdatasync writes data only. Open goes on
// writing in the last segment when it is whole and has room (after cutting
// a torn tail), else starts a new one. A segment whose records are all
// acknowledged is removed (the manifest lists the numbers removed while an
// older segment still holds a record), so the spool shrinks back after a
// backlog.
//
// # Frames
//
//	header  magic "OTRSPOOL" | version u16 | 0 u16 | number u64 | size u64 | crc32c u32 (32 bytes)
//	frame   length u32 | crc32c u32 (of length, kind, payload) | kind u8 | payload
//	commit  kind 1: commit sequence u64 | body length u32 | flags u8 (1: clean close)
//	record  kind 2: record sequence u64 | data
//	delete  kind 3: count uvarint | sequences, ascending, as uvarint deltas
//
// A group commit is one commit frame followed by its record and delete
// frames (body length bytes); all of it is written with one pwrite and one
// fdatasync. An all-zero frame header ends a segment's data.
//
// # Recovery
//
// Open reads every live segment. The first problem (a frame whose checksum
// fails, a commit cut short, non-zero bytes after the end) is a torn tail,
// cut silently, only when no valid commit frame follows it anywhere: the
// commit being written when the process died, never acknowledged. Anything
// else — a bad frame with a later commit after it, a segment shorter than
// its header says, a segment named in the manifest that is missing — is
// damage: Open fails with [ErrDamaged], naming `relayspool salvage DIR`,
// which keeps every record whose frame is intact.
package spool
