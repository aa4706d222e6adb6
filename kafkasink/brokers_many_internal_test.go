package kafkasink

import (
	"strconv"
	"testing"
	"time"
)

// TestCheckBrokersIsLinearInTheEntries: a KAFKA_BROKERS of many distinct
// malformed entries (a pasted file, a runaway script) is reported at once;
// finding the repeats must not compare every entry with every earlier one.
func TestCheckBrokersIsLinearInTheEntries(t *testing.T) {
	brokers := make([]string, 200_000)
	for i := range brokers {
		brokers[i] = "host-" + strconv.Itoa(i) // no port: each one malformed
	}
	start := time.Now()
	if err := checkBrokers("KAFKA_BROKERS", brokers); err == nil {
		t.Fatal("checkBrokers accepted entries without a port")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("checkBrokers of %d entries took %v", len(brokers), took)
	}
}
