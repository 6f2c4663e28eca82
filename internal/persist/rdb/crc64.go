package rdb

import (
	"encoding/binary"
	"hash/crc64"
)

// Redis's crc64 (crc64.c, "Jones" coefficients): reflected polynomial
// 0xad93d23594c935a9, initial value 0, no final inversion, so crc64("123456789") is
// 0xe9c6d914c4b8d9ca. hash/crc64 has the table but inverts the value on the way in
// and out, and for a custom table processes one byte at a time (or rebuilds its
// slicing table on each call over 2 KiB), so the update here is a slicing-by-8 loop
// over tables derived once from crc64's.
var crcTables = func() *[8]crc64.Table {
	var t [8]crc64.Table
	t[0] = *crc64.MakeTable(0x95ac9329ac4bc9b5)
	for i := range 256 {
		crc := t[0][i]
		for j := 1; j < 8; j++ {
			crc = t[0][crc&0xff] ^ crc>>8
			t[j][i] = crc
		}
	}
	return &t
}()

// crc64Update returns Redis's crc64 of the data whose checksum so far is crc,
// followed by p.
func crc64Update(crc uint64, p []byte) uint64 {
	t := crcTables
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^ t[6][crc>>8&0xff] ^ t[5][crc>>16&0xff] ^ t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^ t[2][crc>>40&0xff] ^ t[1][crc>>48&0xff] ^ t[0][crc>>56]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	return crc
}

// CRC64 is Redis's crc64(0, p, len(p)), the checksum of RDB files and DUMP payloads.
func CRC64(p []byte) uint64 { return crc64Update(0, p) }
