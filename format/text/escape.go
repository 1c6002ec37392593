package text

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// errTrailingBackslash is returned for a backslash that ends the line: it
// escapes nothing, and guessing what was meant could corrupt a key.
var errTrailingBackslash = errors.New("backslash at end of line")

// unescapeTab maps the character after a backslash to the byte it stands
// for. Every character not listed stands for itself, so `\\` is a backslash
// and `\ ` a space.
var unescapeTab = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	t['a'], t['b'], t['t'], t['n'] = '\a', '\b', '\t', '\n'
	t['v'], t['f'], t['r'] = '\v', '\f', '\r'
	return t
}()

// escapeTab maps the bytes that AppendEscaped escapes to the letter that
// follows the backslash; zero means the byte is printed raw.
var escapeTab = func() (t [256]byte) {
	t['\a'], t['\b'], t['\t'], t['\n'] = 'a', 'b', 't', 'n'
	t['\v'], t['\f'], t['\r'] = 'v', 'f', 'r'
	t[' '], t['\\'] = ' ', '\\'
	return t
}()

// isBlank reports whether c separates tokens.
func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// tokenStop marks the bytes that end NextToken's fast scan: blanks and the
// backslash. One table load per byte beats three comparisons.
var tokenStop = [256]bool{' ': true, '\t': true, '\\': true}

// NextToken splits the first token off line, the unit of every text input
// (keys, timestamps, values). Tokens are separated by runs of unescaped
// spaces and tabs, and leading blanks are skipped.
//
// tok is unescaped. It aliases line when the token holds no backslash (the
// common case, which copies nothing); otherwise it is built in buf, and
// newBuf returns buf's memory for reuse by the caller. So tok is valid until
// line changes or buf is passed to NextToken again. rest is what follows the
// token. tok is nil, with a nil error, when line holds no more tokens; a
// token is never empty. A backslash ending the line is an error.
func NextToken(line, buf []byte) (tok, rest, newBuf []byte, err error) {
	i := 0
	for i < len(line) && isBlank(line[i]) {
		i++
	}
	if i == len(line) {
		return nil, line[i:], buf, nil
	}
	j := tokenEnd(line, i)
	if j < len(line) && line[j] == '\\' {
		return unescapeToken(line[i:], j-i, buf)
	}
	return line[i:j], line[j:], buf, nil
}

// tokenEnd returns the index of the first blank or backslash of line at
// or after i, or len(line). It tests eight bytes at a time while eight
// remain: tokens are mostly longer than that (keys, nanosecond
// timestamps, 17-digit floats), and a byte at a time took a quarter of
// add -f F.
func tokenEnd(line []byte, i int) int {
	for len(line)-i >= 8 {
		x := binary.LittleEndian.Uint64(line[i:])
		m := hasLess(x, ' '+1) | hasLess(x^(ones*'\\'), 1)
		if m == 0 {
			i += 8
			continue
		}
		// The first flagged byte is a blank or a backslash, or another
		// control character, which belongs to the token.
		i += bits.TrailingZeros64(m) / 8
		if tokenStop[line[i]] {
			return i
		}
		i++
	}
	for i < len(line) && !tokenStop[line[i]] {
		i++
	}
	return i
}

// ones has a one in every byte.
const ones = 0x0101010101010101

// hasLess sets the high bit of each byte of x below n (n <= 128), and
// maybe of bytes above one that is: a borrow can carry into them. So its
// lowest set bit (x is little-endian: the first byte in memory) marks the
// first byte below n exactly. A byte equal to c is a byte of x^(ones*c)
// below 1.
func hasLess(x uint64, n byte) uint64 {
	return (x - ones*uint64(n)) &^ x & (ones * 0x80)
}

// unescapeToken is NextToken's slow path: it copies the token at the start
// of line into buf, resolving escapes, from the first backslash at esc on.
func unescapeToken(line []byte, esc int, buf []byte) (tok, rest, newBuf []byte, err error) {
	buf = append(buf[:0], line[:esc]...)
	j := esc
	for j < len(line) {
		c := line[j]
		if isBlank(c) {
			break
		}
		if c == '\\' {
			j++
			if j == len(line) {
				return nil, nil, buf, errTrailingBackslash
			}
			c = unescapeTab[line[j]]
		}
		buf = append(buf, c)
		j++
	}
	return buf, line[j:], buf, nil
}

// AppendEscaped appends s to dst escaped as one token, as keys and s values
// are printed: the control characters BEL BS TAB LF VT FF CR become
// \a \b \t \n \v \f \r, a space `\ ` and a backslash `\\`, so that the
// output splits into the same tokens again. Every other byte, UTF-8
// included, is copied raw; runs of such bytes are appended in bulk.
func AppendEscaped(dst, s []byte) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		e := escapeTab[s[i]]
		if e == 0 {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '\\', e)
		start = i + 1
	}
	return append(dst, s[start:]...)
}
