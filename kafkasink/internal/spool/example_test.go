package spool_test

import (
	"fmt"
	"os"

	"github.com/otelrelayer/otelrelayer/kafkasink/internal/spool"
)

// A group commit puts records and deletes acknowledged ones with one
// fdatasync; a store opened again finds what was committed.
func Example() {
	dir, _ := os.MkdirTemp("", "spool-example-")
	defer os.RemoveAll(dir)

	s, _, err := spool.Open(dir, spool.Options{})
	if err != nil {
		panic(err)
	}
	_ = s.Commit([]spool.Record{{Seq: 1, Data: []byte("a")}, {Seq: 2, Data: []byte("b")}}, nil)
	_ = s.Commit([]spool.Record{{Seq: 3, Data: []byte("c")}}, []uint64{1}) // 1 was acknowledged
	_ = s.Close()

	s, found, err := spool.Open(dir, spool.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	rs, _, _ := s.Read(found.First, found.Last+1, 10, 1<<20)
	for _, r := range rs {
		fmt.Printf("%d %s\n", r.Seq, r.Data)
	}
	fmt.Println("records:", found.Records)
	// Output:
	// 2 b
	// 3 c
	// records: 2
}
