package server

// Option parsers shared by several collection commands.

import "math"

// parseScanOptions parses the [MATCH pattern] [COUNT count] options of HSCAN, SSCAN and
// ZSCAN from argument from on, as Redis's scanGenericCommand: COUNT below 1 is a syntax
// error, and the pattern "*" is the same as no pattern. It replies the error itself.
func (c *client) parseScanOptions(from int) (count int64, pattern []byte, usePattern, ok bool) {
	count = 10
	for i := from; i < len(c.argv); {
		more := len(c.argv) - i
		switch {
		case c.argIs(i, "count") && more >= 2:
			n, ok := c.int64ArgOrReply(i + 1)
			if !ok {
				return 0, nil, false, false
			}
			if n < 1 {
				c.addError(errSyntax)
				return 0, nil, false, false
			}
			count = n
			i += 2
		case c.argIs(i, "match") && more >= 2:
			pattern = c.argv[i+1]
			usePattern = !(len(pattern) == 1 && pattern[0] == '*')
			i += 2
		default:
			c.addError(errSyntax)
			return 0, nil, false, false
		}
	}
	return count, pattern, usePattern, true
}

// parseMpopCount parses the optional [COUNT count] that ends LMPOP, BLMPOP, ZMPOP and
// BZMPOP, from argument from on: 1 when absent; COUNT given twice or anything else is a
// syntax error. It replies the error itself.
func (c *client) parseMpopCount(from int) (int64, bool) {
	count := int64(-1)
	for j := from; j < len(c.argv); j++ {
		if count == -1 && c.argIs(j, "count") && j < len(c.argv)-1 {
			j++
			var ok bool
			if count, ok = c.rangeLongOrReply(c.argv[j], 1, math.MaxInt64, "ERR count should be greater than 0"); !ok {
				return 0, false
			}
			continue
		}
		c.addError(errSyntax)
		return 0, false
	}
	if count == -1 {
		count = 1
	}
	return count, true
}
