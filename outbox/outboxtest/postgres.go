package outboxtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Server is a PostgreSQL server of its own: data and socket in a temporary
// directory, listening on 127.0.0.1 only.
type Server struct {
	dir  string
	port int
	asPG bool // commands run as the postgres user
	bin  string
}

// ServerOption configures [StartPostgres].
type ServerOption func(*serverConfig)

type serverConfig struct{ durable bool }

// Durable keeps PostgreSQL's defaults (fsync, synchronous commit): for
// benchmarks. By default the test server runs with fsync=off.
func Durable() ServerOption { return func(c *serverConfig) { c.durable = true } }

// StartPostgres initialises and starts a server; Stop removes it.
func StartPostgres(opts ...ServerOption) (*Server, error) {
	var cfg serverConfig
	for _, o := range opts {
		o(&cfg)
	}
	bin, err := postgresBin()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin}
	if u, err := user.Current(); err == nil && u.Uid == "0" {
		s.asPG = true
	}
	if s.dir, err = os.MkdirTemp("", "outboxpg"); err != nil {
		return nil, err
	}
	if s.asPG {
		if out, err := exec.Command("chown", "postgres:", s.dir).CombinedOutput(); err != nil {
			s.Stop()
			return nil, fmt.Errorf("outboxtest: chown postgres %s: %v: %s", s.dir, err, out)
		}
	}
	if s.port, err = freePort(); err != nil {
		s.Stop()
		return nil, err
	}
	data := filepath.Join(s.dir, "data")
	if out, err := s.run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"); err != nil {
		s.Stop()
		return nil, fmt.Errorf("outboxtest: initdb: %v: %s", err, out)
	}
	settings := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200", s.port, s.dir)
	if !cfg.durable {
		settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	if out, err := s.run("pg_ctl", "-D", data, "-l", filepath.Join(s.dir, "log"), "-w", "-t", "60", "-o", settings, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		s.Stop()
		return nil, fmt.Errorf("outboxtest: pg_ctl start: %v: %s\n%s", err, out, log)
	}
	return s, nil
}

func (s *Server) run(name string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, name)
	var cmd *exec.Cmd
	if s.asPG {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

// DSN returns the address of database name on the server.
func (s *Server) DSN(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

// CreateDatabase creates database name and returns its DSN.
func (s *Server) CreateDatabase(ctx context.Context, name string) (string, error) {
	admin, err := sql.Open("pgx", s.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("outboxtest: CREATE DATABASE %s: %w", name, err)
	}
	return s.DSN(name), nil
}

// Stop stops the server at once and removes its directory.
func (s *Server) Stop() {
	if s == nil || s.dir == "" {
		return
	}
	if _, err := os.Stat(filepath.Join(s.dir, "data", "postmaster.pid")); err == nil {
		s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop") //nolint:errcheck // best effort
	}
	os.RemoveAll(s.dir)
}

// postgresBin finds the directory of initdb and pg_ctl: on PATH, else the
// newest /usr/lib/postgresql/*/bin (Debian's layout).
func postgresBin() (string, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(p), "initdb")); err == nil {
			return filepath.Dir(p), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("outboxtest: PostgreSQL is not installed (no pg_ctl on PATH or in /usr/lib/postgresql/*/bin): run scripts/ensure-postgres.sh")
}

func version(binDir string) int {
	v, _ := strconv.Atoi(strings.Split(filepath.Base(filepath.Dir(binDir)), ".")[0])
	return v
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady waits until the server answers on dsn.
func waitReady(ctx context.Context, db *sql.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		err := db.PingContext(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
