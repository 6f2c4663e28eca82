package server

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
