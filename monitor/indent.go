package monitor

import "sync"

// indent pretty-prints compact JSON as encoding/json's MarshalIndent(v, "", "  ") does, in one
// pass without a scanner: src must be encoding/json's own compact output (valid, no whitespace
// outside strings). encoding/json's Indent checks every byte against its grammar and costs three
// times the encoding itself; with 10k connections /actorz is megabytes, so that matters.
func indent(dst, src []byte) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, ' ', ' ')
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '"':
			// Copy the string through its closing quote; a backslash escapes the next byte.
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			dst = append(dst, src[i:j+1]...)
			i = j
		case '{', '[':
			dst = append(dst, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1]) // empty: {} or [], as Indent leaves them
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// buffers recycles response buffers: monitoring answers can be megabytes, and garbage makes the
// collector run, which costs the data path too.
var buffers = sync.Pool{New: func() any { return new([]byte) }}
