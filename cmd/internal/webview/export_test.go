package webview

import "time"

// SetReplayTimeout sets how long a replay waits for the broker, until the
// returned function restores it.
func SetReplayTimeout(d time.Duration) (restore func()) {
	old := replayTimeout
	replayTimeout = d
	return func() { replayTimeout = old }
}
