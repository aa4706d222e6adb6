// Package outboxtest is the test kit of the outbox: a real PostgreSQL
// server started for the tests (Debian's postgresql package; see
// scripts/ensure-postgres.sh), SQLite databases in temporary files, and
// [Backends] to run one test against both.
//
// PostgreSQL runs as the postgres user (when the tests run as root), with
// its data and unix socket in a temporary directory and a port of its own on
// 127.0.0.1 only; each test gets a fresh database. Where the server cannot
// start, PostgreSQL tests are skipped with the reason, except in CI (the
// CI variable set, as CI services do): then they fail.
package outboxtest
