package rdb

import "testing"

func writeGolden(t *testing.T, file []byte, want map[string]redisKey) {}
