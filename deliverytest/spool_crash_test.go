package deliverytest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/wire"
)

// The child process of TestSpoolSurvivesSIGKILL reads its task here.
const (
	crashEnvDir    = "DELIVERYTEST_SPOOL_DIR"
	crashEnvBroker = "DELIVERYTEST_SPOOL_BROKER"
	crashEnvRun    = "DELIVERYTEST_SPOOL_RUN"
	crashEnvEvents = "DELIVERYTEST_SPOOL_EVENTS"
	crashWorkers   = 16
)

// TestSpoolCrashChild is the child process of TestSpoolSurvivesSIGKILL: 16
// goroutines emit through a pipeline with a spool, each printing
// "emitted SEQ" once Emit returned nil, until killed or done; done, it shuts
// the pipeline down and prints "clean exit". Without its environment it
// skips.
func TestSpoolCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnvDir)
	if dir == "" {
		t.Skip("the child process of TestSpoolSurvivesSIGKILL")
	}
	run, _ := strconv.Atoi(os.Getenv(crashEnvRun))
	perWorker, _ := strconv.Atoi(os.Getenv(crashEnvEvents))
	p := newSpoolPipeline(t, []string{os.Getenv(crashEnvBroker)}, dir)
	var out sync.Mutex
	var wg sync.WaitGroup
	for worker := range crashWorkers {
		key := fmt.Sprintf("run%d-w%d", run, worker)
		wg.Go(func() {
			for i := range perWorker {
				seq := int64(run*1_000_000 + worker*perWorker + i)
				ctx, span := p.tracer.Start(t.Context(), "job")
				err := bridge.Emit(ctx, eventType, "crash", payload{Seq: seq}, bridge.WithPartitionKey(key))
				span.End()
				if err != nil {
					t.Errorf("Emit %d: %v", seq, err)
					continue
				}
				out.Lock()
				fmt.Fprintf(os.Stdout, "emitted %d\n", seq) // one write: a kill cannot tear it
				out.Unlock()
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(t.Context(), bound)
	defer cancel()
	if err := p.tp.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	fmt.Println("clean exit")
}

// TestSpoolSurvivesSIGKILL kills a child process (TestSpoolCrashChild) with
// SIGKILL at five random moments while its 16 goroutines emit through a
// spool (two of those runs with no broker reachable), restarts it on the same directory each time, then lets a sixth run
// end: every event whose Emit returned nil in any run is on the broker, in
// emit order per partition key, and none twice: a record whose
// acknowledgement was not yet recorded when the process died is found on
// the broker by the next start's recovery, not produced again.
func TestSpoolSurvivesSIGKILL(t *testing.T) {
	perWorker, kills := 150, 5
	if *long {
		perWorker = 2_000
	}
	c := newCluster(t)
	dir := t.TempDir()
	claimed := map[int64]bool{}
	// Two of the killed runs have no broker at all: their events wait in
	// the spool, and a later run delivers them.
	noBroker := map[int]bool{}
	for len(noBroker) < 2 {
		noBroker[rand.IntN(kills)] = true
	}
	away, _ := freeAddr(t)
	for run := range kills + 1 {
		broker := c.ListenAddrs()[0]
		if noBroker[run] {
			broker = away
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestSpoolCrashChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(),
			crashEnvDir+"="+dir, crashEnvBroker+"="+broker,
			crashEnvRun+"="+strconv.Itoa(run), crashEnvEvents+"="+strconv.Itoa(perWorker))
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		// The kill comes after a random number of the run's events, between
		// a tenth and nine tenths: while the goroutines emit.
		total := crashWorkers * perWorker
		killAfter := total/10 + rand.IntN(total*8/10)
		var seen, clean int
		for line := range lines {
			if seq, ok := strings.CutPrefix(line, "emitted "); ok {
				n, err := strconv.ParseInt(seq, 10, 64)
				if err != nil {
					t.Fatalf("child printed %q", line)
				}
				claimed[n] = true
				if seen++; seen == killAfter && run < kills {
					if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
						t.Fatal(err)
					}
				}
			} else if line == "clean exit" {
				clean++
			}
		}
		err = cmd.Wait()
		t.Logf("run %d (broker reachable: %v): %d events claimed, then %v", run, !noBroker[run], seen, err)
		if run == kills && (err != nil || clean != 1) {
			t.Fatalf("last run: %v", err)
		}
		if run < kills && err == nil {
			t.Fatalf("run %d ended before its kill", run)
		}
	}

	recs := readAll(t, c.ListenAddrs(), eventType)
	copies := map[string]int{}
	found := map[int64]bool{}
	last := map[string]int64{}
	var duplicates, reordered, unclaimed int
	for _, r := range recs {
		id := header(r, wire.EventIDHeader)
		if copies[id]++; copies[id] > 1 {
			duplicates++
			continue
		}
		var ev wire.Event
		var pl payload
		if err := json.Unmarshal(r.Value, &ev); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(ev.Payload, &pl); err != nil {
			t.Fatal(err)
		}
		found[pl.Seq] = true
		if !claimed[pl.Seq] {
			unclaimed++ // Emit was under way when the process died
		}
		if pl.Seq < last[string(r.Key)] {
			reordered++
		}
		last[string(r.Key)] = pl.Seq
	}
	var lost []int64
	for seq := range claimed {
		if !found[seq] {
			lost = append(lost, seq)
		}
	}
	t.Logf("%d kills: %d events claimed (Emit returned nil), %d on the broker, %d lost, %d duplicates, %d unclaimed (Emit under way at the kill), %d reordered",
		kills, len(claimed), len(found), len(lost), duplicates, unclaimed, reordered)
	if len(lost) > 0 {
		t.Errorf("%d events whose Emit returned nil are not on the broker, e.g. %v", len(lost), lost[:min(len(lost), 10)])
	}
	if reordered > 0 {
		t.Errorf("%d events arrived before an earlier event of their partition key", reordered)
	}
	if duplicates > 0 {
		t.Errorf("%d events are on the broker more than once (the same relayer-event-id): recovery produced again records already there", duplicates)
	}
}
