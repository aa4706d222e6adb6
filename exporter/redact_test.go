package exporter_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/bridge"
	"github.com/otelrelayer/otelrelayer/exporter"
	"github.com/otelrelayer/otelrelayer/otelrelayertest"
)

func TestRedactedKeys(t *testing.T) {
	rec := otelrelayertest.New(t, exporter.WithRedactedKeys("password", "Authorization"))
	ctx, span := rec.Tracer().Start(t.Context(), "request")
	payload := map[string]any{"user": "ana", "Password": "hunter2", "nested": []any{map[string]any{"AUTHORIZATION": "Bearer s3cret", "ok": 1}}}
	if err := bridge.Emit(ctx, "signed_up", "web", payload); err != nil {
		t.Fatal(err)
	}
	if err := bridge.EmitRaw(ctx, "raw", map[string]any{"password": "hunter2"}); err != nil {
		t.Fatal(err)
	}
	if err := bridge.Log(ctx, "info", map[string]any{"msg": "login", "password": "hunter2"}); err != nil {
		t.Fatal(err)
	}
	if err := bridge.Log(ctx, "info", map[string]any{"msg": "passwords are not keys here", "note": "password"}); err != nil {
		t.Fatal(err)
	}
	span.End()
	for _, topic := range rec.Topics() {
		for _, m := range rec.Messages(topic) {
			if strings.Contains(string(m.Value), "hunter2") || strings.Contains(string(m.Value), "s3cret") {
				t.Errorf("%s leaks a secret: %s", topic, m.Value)
			}
		}
	}
	ev := rec.Events("signed_up")[0]
	if want := `{"Password":"[REDACTED]","nested":[{"AUTHORIZATION":"[REDACTED]","ok":1}],"user":"ana"}`; string(ev.Payload) != want {
		t.Errorf("payload %s, want %s", ev.Payload, want)
	}
	lines := rec.RequestLogs()[0].Lines
	if got := string(lines[3].Payload); got != `{"msg":"passwords are not keys here","note":"password"}` {
		t.Errorf("a payload without the keys was changed: %s", got)
	}
}

func FuzzRedact(f *testing.F) {
	f.Add(`{"password":"x","a":[{"Password":1}]}`)
	f.Add(`"password"`)
	f.Add(`{"pass":"word"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		rec := otelrelayertest.New(t, exporter.WithRedactedKeys("password"))
		ctx, span := rec.Tracer().Start(t.Context(), "r")
		defer span.End()
		err := bridge.EmitRaw(ctx, "t", json.RawMessage(doc))
		if err != nil {
			return // not JSON: refused before redaction
		}
		out := rec.Messages("t")[0].Value
		if !json.Valid(out) {
			t.Fatalf("redaction produced invalid JSON %q from %q", out, doc)
		}
	})
}

// A key spelled with JSON escapes is the same key to consumers.
func TestRedactedKeysSeeThroughEscapes(t *testing.T) {
	rec := otelrelayertest.New(t, exporter.WithRedactedKeys("password"))
	ctx, span := rec.Tracer().Start(t.Context(), "request")
	defer span.End()
	if err := bridge.EmitRaw(ctx, "raw", json.RawMessage(`{"pass\u0077ord":"hunter2"}`)); err != nil {
		t.Fatal(err)
	}
	if v := string(rec.Messages("raw")[0].Value); strings.Contains(v, "hunter2") {
		t.Fatalf("escaped key leaked its value: %s", v)
	}
}
