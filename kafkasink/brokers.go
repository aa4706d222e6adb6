package kafkasink

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// checkBrokers reports every entry of brokers that is not a seed broker
// address, naming where the entries came from (an option or a variable).
// An entry repeated (KAFKA_BROKERS=" , " has two empty ones) is reported
// once, with its count.
func checkBrokers(source string, brokers []string) error {
	// Counted first, in a map: comparing each entry with the earlier ones
	// took over a minute for a KAFKA_BROKERS of 200,000 entries.
	counts := make(map[string]int, len(brokers))
	for _, b := range brokers {
		counts[b]++
	}
	var errs []error
	for _, b := range brokers {
		n := counts[b]
		if n == 0 {
			continue // reported with its first occurrence
		}
		counts[b] = 0
		if err := checkBroker(b); err != nil {
			if n > 1 {
				errs = append(errs, fmt.Errorf("%s entry %q (%d times): %w", source, b, n, err))
			} else {
				errs = append(errs, fmt.Errorf("%s entry %q: %w", source, b, err))
			}
		}
	}
	return errors.Join(errs...)
}

// checkBroker reports why addr is not host:port, where host is a DNS name
// (letters, digits, '-' and '_' in dot-separated labels), an IPv4 address or
// a bracketed IPv6 address, and port is 1 to 65535. The port is required:
// franz-go would otherwise assume 9092, and a typo such as "kafka;kafka2"
// would only fail when the first message times out.
func checkBroker(addr string) error {
	const want = "want host:port, e.g. kafka:9092, 10.0.0.1:9092 or [::1]:9092"
	switch {
	case strings.TrimSpace(addr) == "":
		return fmt.Errorf("empty broker address (%s)", want)
	case strings.Contains(addr, "://"):
		return fmt.Errorf("a URL, not a broker address: leave out the scheme (%s)", want)
	case strings.ContainsAny(addr, ";, \t"):
		return fmt.Errorf("spaces, commas or semicolons in one address: separate addresses with commas in KAFKA_BROKERS, or pass one per WithBrokers argument (%s)", want)
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		reason := err.Error()
		if ae, ok := err.(*net.AddrError); ok {
			reason = ae.Err // without the address, which the caller names
		}
		return fmt.Errorf("%s (%s)", reason, want)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '+' {
		return fmt.Errorf("port %q is not a number from 1 to 65535 (%s)", port, want)
	}
	if strings.HasPrefix(addr, "[") {
		if ip, err := netip.ParseAddr(host); err != nil || !ip.Is6() || ip.Is4In6() && !strings.Contains(host, ":") {
			return fmt.Errorf("%q in brackets is not an IPv6 address (%s)", host, want)
		}
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is4() {
		return nil
	}
	return checkHostname(host)
}

// checkHostname accepts DNS names, with underscores (container and
// service names often have them).
func checkHostname(host string) error {
	if host == "" {
		return errors.New("empty host")
	}
	if len(host) > 253 {
		return fmt.Errorf("host name is %d characters, longer than 253", len(host))
	}
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return fmt.Errorf("host %q has an empty label or one longer than 63 characters", host)
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("host %q has a label starting or ending with '-'", host)
		}
		for _, c := range []byte(l) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("host %q holds %q: not a host name, IPv4 address or bracketed IPv6 address", host, c)
			}
		}
	}
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		return fmt.Errorf("host %q is neither an IPv4 address nor a host name (its last label is numeric)", host)
	}
	return nil
}
