// Package childbroker runs the benchmarks' Kafka broker: kfake in a child
// process (the benchmark program re-executed with an environment variable
// set), so that the broker has its own heap, garbage collector and
// scheduler, as in a deployment; or KAFKA_BROKERS when set; or kfake inside
// the calling process. It also counts the messages the broker holds, so that
// a harness can check that dropped work does not look fast, and reads a
// child process's CPU time from /proc.
package childbroker
