package kafkasink

import "time"

// EncodedSpoolRecordForTest is m as the spool stores it.
func EncodedSpoolRecordForTest(m Message) []byte { return encodeSpoolRecord(m, time.Now()) }
