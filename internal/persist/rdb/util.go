package rdb

import "unsafe"

// unsafeBytes views s as bytes, for writing only.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
