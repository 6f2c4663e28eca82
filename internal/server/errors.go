package server

// Redis's shared error replies (server.c createSharedObjects), byte for byte.
const (
	errWrongType      = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errSyntax         = "ERR syntax error"
	errNotInteger     = "ERR value is not an integer or out of range"
	errNotFloat       = "ERR value is not a valid float"
	errNoAuth         = "NOAUTH Authentication required."
	errDBIndex        = "ERR DB index is out of range"
	errNoSuchKey      = "ERR no such key"
	errOutOfRange     = "ERR index out of range"
	errSameObject     = "ERR source and destination objects are the same"
	errOverflow       = "ERR increment or decrement would overflow"
	errNoProto        = "NOPROTO unsupported protocol version"
	errWrongPass      = "WRONGPASS invalid username-password pair or user is disabled."
	errNoSuchClient   = "ERR No such client"
	errStringTooLong  = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	errTimeoutNotInt  = "ERR timeout is not an integer or out of range"
	errTimeoutNeg     = "ERR timeout is negative"
	errAuthNoPassword = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
)
