package main

import (
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/otelrelayer/otelrelayer/cmd/internal/cli"
	"github.com/otelrelayer/otelrelayer/wire"
)

func TestWideFilterFlags(t *testing.T) {
	five, fourteen := 5, 14
	logs := map[string]wire.RequestLog{
		"order 42": {Method: "GET", Path: "/orders/7", Status: 200, Route: "/orders/{id}",
			Attributes: map[string]json.RawMessage{"enduser.id": json.RawMessage(`"42"`)}},
		"order 43": {Method: "GET", Path: "/orders/8", Status: 200, Route: "/orders/{id}",
			Attributes: map[string]json.RawMessage{"enduser.id": json.RawMessage(`"43"`)}},
		"health":      {Method: "GET", Path: "/health", Status: 200, Route: "/health"},
		"rpc missing": {Service: "shop.Orders.Get", RPCStatus: "NOT_FOUND", RPCStatusCode: &five},
		"rpc down":    {Service: "shop.Orders.Get", RPCStatus: "UNAVAILABLE", RPCStatusCode: &fourteen},
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"route", []string{"-route", "/orders/{id}"}, []string{"order 42", "order 43"}},
		{"RPC status", []string{"-rpc-status", "not_found"}, []string{"rpc missing"}},
		{"RPC statuses by code", []string{"-rpc-status", "5,14"}, []string{"rpc down", "rpc missing"}},
		{"attribute", []string{"-attr", "enduser.id=42"}, []string{"order 42"}},
		{"attribute and route", []string{"-attr", "enduser.id=43", "-route", "/orders/{id}"}, []string{"order 43"}},
		{"two attributes must both match", []string{"-attr", "enduser.id=42", "-attr", "enduser.id=43"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseArgs(append([]string{"-brokers", "b:9092"}, tt.args...), io.Discard, noEnv, false)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for name, l := range logs {
				if cfg.filter.Match(&l) {
					got = append(got, name)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("matched %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWideFilterFlagsReject(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"-attr", "enduser.id"}, `-attr "enduser.id"`},
		{[]string{"-rpc-status", ","}, `-rpc-status ","`},
	} {
		_, err := parseArgs(append([]string{"-brokers", "a:1"}, tt.args...), io.Discard, noEnv, false)
		if _, ok := err.(cli.UsageError); !ok || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%v: error %v, want a usage error containing %q", tt.args, err, tt.wantErr)
		}
	}
}
