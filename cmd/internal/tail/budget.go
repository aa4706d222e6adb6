package tail

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kgo"
)

// fetchBudget bounds what the batches of the fetches being read may
// decompress to together. MaxBatchBytes bounds each batch only, and a
// fetch of maxFetchBytes as sent holds hundreds of batches that each
// inflate to just under it (zeros compress a few thousand times).
const fetchBudget = MaxBatchBytes

// errFetchBudget stops the decompression of a fetch's batches once they
// fill fetchBudget. franz-go keeps the records decompressed before it and
// fetches the rest again from the first batch not read; Next ignores the
// error.
var errFetchBudget = errors.New("tail: the batches of this fetch fill the decompression budget; the rest is fetched again")

// budgetDecompressor is franz-go's decompressor, which bounds each batch
// at MaxBatchBytes, with a bound on the batches decompressed since the
// fetches were last read.
type budgetDecompressor struct {
	inner kgo.Decompressor
	used  atomic.Int64 // bytes decompressed since the last read
}

var _ kgo.Decompressor = (*budgetDecompressor)(nil)

// newBudgetDecompressor wraps the decompressor cl uses, which must bound
// batches (kgo.MaxDecompressBatchBytes); a custom decompressor is never
// bounded by franz-go, so it takes cl's rather than making its own.
func newBudgetDecompressor(cl *kgo.Client) (*budgetDecompressor, error) {
	inner, ok := cl.OptValue(kgo.WithDecompressor).(kgo.Decompressor)
	if !ok || inner == nil {
		return nil, fmt.Errorf("tail: the client has no decompressor")
	}
	return &budgetDecompressor{inner: inner}, nil
}

func (d *budgetDecompressor) Decompress(src []byte, codec kgo.CompressionCodecType) ([]byte, error) {
	if codec == kgo.CodecNone {
		return d.inner.Decompress(src, codec)
	}
	// The first batch after a read always goes through, so that a batch
	// of any size up to MaxBatchBytes is read.
	if d.used.Load() >= fetchBudget {
		return nil, errFetchBudget
	}
	out, err := d.inner.Decompress(src, codec)
	d.used.Add(int64(len(out)))
	return out, err
}

// read starts the budget again: the fetches were read, what they held is
// copied out of them.
func (d *budgetDecompressor) read() { d.used.Store(0) }
