package exporter

import (
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// request is the state of one local root span: the lines of its request log,
// appended by Emit and Log from any goroutine and by the ends of its spans.
type request struct {
	root trace.SpanID
	// span is the root, until the request ends: a request stays reachable
	// while its log and events are in flight, its span need not.
	span sdktrace.ReadOnlySpan
	// seenTick is the eviction clock when the processor saw the root start.
	seenTick uint64

	mu       sync.Mutex
	lines    []byte  // JSON objects separated by commas
	ends     []int32 // end offset of each line in lines
	dropped  int     // lines
	failed   int     // events not delivered: dropped_events
	ended    bool
	buffers  *linePair // pooled; lines and ends grow from its slices
	children []trace.SpanID
	// endedChildren are the children that ended, oldest first: at most
	// maxKeptChildren of them stay in the table.
	endedChildren []trace.SpanID
	// attrs are the fields of bridge.SetAttributes; nil until the first.
	attrs *setAttributes
	// headers are the request log's, here to save an allocation per
	// request: they keep this request reachable until the log is delivered.
	headers headerBlock
}

// addLine appends one JSON line, or counts it as dropped when the request
// already holds maxLines lines or would exceed maxBytes. It reports false
// when the request has already ended.
func (r *request) addLine(line []byte, maxLines, maxBytes int) bool {
	return r.add(maxLines, maxBytes, func(dst []byte) []byte { return append(dst, line...) })
}

// addLogLine is addLine for a log line, encoded straight into the request's
// buffer.
func (r *request) addLogLine(level string, payload []byte, ts time.Time, maxLines, maxBytes int) bool {
	return r.add(maxLines, maxBytes, func(dst []byte) []byte { return appendLogLine(dst, level, payload, ts) })
}

// add appends the line encode writes, under the request's lock, and takes it
// back when it breaks a bound.
func (r *request) add(maxLines, maxBytes int, encode func(dst []byte) []byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return false
	}
	if len(r.ends) >= maxLines {
		r.dropped++
		return true
	}
	if r.buffers == nil {
		r.buffers = lineBufferPool.Get().(*linePair)
		r.lines, r.ends = r.buffers.lines, r.buffers.ends
	}
	start := len(r.lines)
	if start > 0 {
		r.lines = append(r.lines, ',')
	}
	r.lines = encode(r.lines)
	if len(r.lines) > maxBytes {
		r.lines = r.lines[:start]
		r.dropped++
		return true
	}
	r.ends = append(r.ends, int32(len(r.lines)))
	return true
}

// countDroppedEvent counts an event of the request that was not delivered.
// It is a no-op on a nil or ended request.
func (r *request) countDroppedEvent() {
	if r == nil {
		return
	}
	r.mu.Lock()
	if !r.ended {
		r.failed++
	}
	r.mu.Unlock()
}

// addChild links a child span to the request, unless the request has ended.
func (r *request) addChild(id trace.SpanID, t *requestTable) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return false
	}
	r.children = append(r.children, id)
	t.put(id, r) // under r.mu, so end cannot miss the child
	return true
}

// endedRequest is what an ended request leaves for its request log.
type endedRequest struct {
	lines         []byte
	ends          []int32
	droppedLines  int
	droppedEvents int
	evicted       bool
	children      []trace.SpanID
	buffers       *linePair             // where lines and ends came from
	headers       *headerBlock          // for the request log's headers; nil: allocate
	span          sdktrace.ReadOnlySpan // the root
	attrs         *setAttributes        // of bridge.SetAttributes, or nil
}

// end marks the request ended and returns its contents; it reports false
// when the request had already ended (the root's end, eviction and Shutdown
// may race). Nothing is appended afterwards, so the slices are the caller's,
// to give back with release once written. ending runs before the end is
// visible (under the request's lock): whoever finds the request ended, and
// cannot add to it, then finds what ending recorded.
// ended, when not nil, is the root as OnEnd got it, used in place of the
// live span.
func (r *request) end(evicted bool, ended sdktrace.ReadOnlySpan, ending func(root sdktrace.ReadOnlySpan, children []trace.SpanID)) (endedRequest, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return endedRequest{}, false
	}
	root := r.span
	if ended != nil {
		root = ended
	}
	e := endedRequest{r.lines, r.ends, r.dropped, r.failed, evicted, r.children, r.buffers, &r.headers, root, r.attrs}
	ending(root, r.children) // not &e: e would move to the heap
	r.ended = true
	r.lines, r.ends, r.children, r.buffers, r.span, r.endedChildren, r.attrs = nil, nil, nil, nil, nil, nil, nil
	return e, true
}

// maxKeptChildren bounds the ended child spans a request keeps in the table
// (so that a goroutine outliving its child span still adds to the request):
// beyond it, the child that ended first is forgotten, and memory stays
// bounded however many spans a long request starts. Live children are not
// counted: they are forgotten only when they end.
const maxKeptChildren = 1024

// childEnded records that the child id ended. It returns the ended child to
// forget now, if the request keeps more than maxKeptChildren ended ones:
// the oldest, removed from the request's children too.
func (r *request) childEnded(id trace.SpanID) (forget trace.SpanID, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return trace.SpanID{}, false
	}
	r.endedChildren = append(r.endedChildren, id)
	if len(r.endedChildren) <= maxKeptChildren {
		return trace.SpanID{}, false
	}
	forget = r.endedChildren[0]
	r.endedChildren = r.endedChildren[1:]
	for i := len(r.children) - 1; i >= 0; i-- {
		if r.children[i] == forget {
			r.children[i] = r.children[len(r.children)-1]
			r.children = r.children[:len(r.children)-1]
			break
		}
	}
	return forget, true
}

// requestTable maps span IDs (roots and their children) to requests. It is
// sharded so that concurrent requests rarely share a lock.
type requestTable struct {
	shards [tableShards]tableShard
}

const tableShards = 64

type tableShard struct {
	mu sync.RWMutex
	m  map[trace.SpanID]*request
	_  [32]byte // keep shards on separate cache lines
}

func (t *requestTable) shard(id trace.SpanID) *tableShard {
	return &t.shards[(id[7]^id[3])%tableShards]
}

func (t *requestTable) get(id trace.SpanID) *request {
	s := t.shard(id)
	s.mu.RLock()
	r := s.m[id]
	s.mu.RUnlock()
	return r
}

func (t *requestTable) put(id trace.SpanID, r *request) {
	s := t.shard(id)
	s.mu.Lock()
	if s.m == nil {
		s.m = make(map[trace.SpanID]*request)
	}
	s.m[id] = r
	s.mu.Unlock()
}

func (t *requestTable) del(id trace.SpanID) {
	s := t.shard(id)
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
}

// openRoots returns the requests still open.
func (t *requestTable) openRoots() []*request {
	var open []*request
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.RLock()
		for id, r := range s.m {
			if r.root == id {
				open = append(open, r)
			}
		}
		s.mu.RUnlock()
	}
	return open
}

// linePair is the pooled storage of a request's lines: lineBufferPool
// recycles it once the request ended, since a request log copies its lines
// and they are free once it is encoded.
type linePair struct {
	lines []byte
	ends  []int32
}

var lineBufferPool = sync.Pool{New: func() any {
	return &linePair{lines: make([]byte, 0, 512), ends: make([]int32, 0, 8)}
}}

// maxPooledLines keeps a huge request from pinning its buffer in the pool.
const maxPooledLines = 64 << 10

// release gives the buffers of an ended request back to the pool.
func (e *endedRequest) release() {
	if e.buffers == nil || cap(e.lines) > maxPooledLines {
		return
	}
	e.buffers.lines, e.buffers.ends = e.lines[:0], e.ends[:0]
	lineBufferPool.Put(e.buffers)
	e.buffers, e.lines, e.ends = nil, nil, nil
}
