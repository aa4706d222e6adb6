// Package topicname validates Kafka topic names the way the broker does, so
// that a bad name is refused before anything is produced.
package topicname

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// MaxLen is the longest topic name Kafka accepts.
const MaxLen = 249

// Validate returns an error naming what is wrong with name, or nil when Kafka
// would accept it as a topic.
func Validate(name string) error {
	switch {
	case name == "":
		return errors.New("topic name is empty")
	case name == "." || name == "..":
		return fmt.Errorf("topic name %q is reserved", name)
	case len(name) > MaxLen:
		return fmt.Errorf("topic name is %d characters long, more than Kafka's limit of %d", len(name), MaxLen)
	}
	for i := 0; i < len(name); i++ {
		if !legal(name[i]) {
			r, _ := utf8.DecodeRuneInString(name[i:])
			return fmt.Errorf("topic name %q has %q at byte %d; Kafka allows only [a-zA-Z0-9._-]", name, r, i)
		}
	}
	return nil
}

func legal(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}
