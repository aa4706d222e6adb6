package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"

	"github.com/otelrelayer/otelrelayer/bridge"
)

type order struct {
	ID       int64  `json:"id"`
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
}

// newAPI is a tiny orders API: every handler uses only the request context.
func newAPI() http.Handler {
	var lastID atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var o order
		if err := json.NewDecoder(r.Body).Decode(&o); err != nil || o.Item == "" {
			reason := "an order needs an item"
			if err != nil {
				reason = err.Error()
			}
			_ = bridge.Log(ctx, "warning", map[string]any{"msg": "rejected order", "reason": reason})
			http.Error(w, "an order needs an item", http.StatusBadRequest)
			return
		}
		o.ID = lastID.Add(1)
		// Written to the order_created topic at once, keyed by the order ID.
		if err := bridge.Emit(ctx, "order_created", "web", o, bridge.WithPartitionKey(fmt.Sprint(o.ID))); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = bridge.Log(ctx, "info", map[string]any{"msg": "order stored", "id": o.ID})
		// A field of this request's log ("attributes"), from any goroutine
		// or child span holding ctx.
		_ = bridge.SetAttributes(ctx, attribute.Int64("app.order.id", o.ID))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(o)
	})
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		_ = bridge.Log(r.Context(), "debug", map[string]any{"msg": "order looked up", "id": r.PathValue("id")})
		_, _ = fmt.Fprintf(w, `{"id":%q}`, r.PathValue("id"))
	})
	return mux
}
