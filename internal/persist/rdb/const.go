package rdb

import "strconv"

const (
	// Version is the RDB version the Encoder writes: redis-server 7.0's RDB_VERSION.
	Version = 10
	// MaxVersion is the newest version the Decoder reads: 11 is what Redis 7.2 and
	// Valkey 7.2/8 write (listpack sets, streams with consumer active times).
	MaxVersion = 11
	// RedisVersion is the redis-ver aux field Cairn writes: the version whose formats
	// it writes, so that tools reading the field see what they expect.
	RedisVersion = "7.0.15"
)

// Opcodes: the byte before each record that is not a key (RDB_OPCODE_*).
const (
	opSlotInfo         = 244 // Valkey 8 cluster slot sizes: slot, size, expires size
	opFunction2        = 245
	opFunctionPreGA    = 246
	opModuleAux        = 247
	opIdle             = 248
	opFreq             = 249
	opAux              = 250
	opResizeDB         = 251
	opExpireTimeMs     = 252
	opExpireTime       = 253
	opSelectDB         = 254
	opEOF              = 255
	lenEncVal          = 3       // RDB_ENCVAL: the top two bits of a length byte saying "special encoding"
	enc8, enc16, enc32 = 0, 1, 2 // RDB_ENC_INT8/16/32
	encLZF             = 3       // RDB_ENC_LZF
)

// ObjType is an RDB object type: the byte before a key, which names the value's type
// and the layout of its serialisation (RDB_TYPE_*).
type ObjType uint8

// Object types, with the Redis version that introduced the ones Redis 7.0 no longer
// writes.
const (
	TypeString           ObjType = 0
	TypeList             ObjType = 1 // linked list (before 3.2)
	TypeSet              ObjType = 2
	TypeZSet             ObjType = 3 // string scores (before 4.0)
	TypeHash             ObjType = 4
	TypeZSet2            ObjType = 5 // binary scores
	TypeModulePreGA      ObjType = 6
	TypeModule2          ObjType = 7
	TypeHashZipmap       ObjType = 9  // before 2.6
	TypeListZiplist      ObjType = 10 // before 3.2
	TypeSetIntset        ObjType = 11
	TypeZSetZiplist      ObjType = 12 // before 7.0
	TypeHashZiplist      ObjType = 13 // before 7.0
	TypeListQuicklist    ObjType = 14 // ziplist nodes, 3.2 to 6.2
	TypeStreamListpacks  ObjType = 15
	TypeHashListpack     ObjType = 16
	TypeZSetListpack     ObjType = 17
	TypeListQuicklist2   ObjType = 18
	TypeStreamListpacks2 ObjType = 19
	TypeSetListpack      ObjType = 20 // 7.2 (RDB 11)
	TypeStreamListpacks3 ObjType = 21 // 7.2 (RDB 11)
)

var objTypeNames = [...]string{
	TypeString: "string", TypeList: "list", TypeSet: "set", TypeZSet: "zset", TypeHash: "hash",
	TypeZSet2: "zset-2", TypeModulePreGA: "module-pre-ga", TypeModule2: "module-2", 8: "",
	TypeHashZipmap: "hash-zipmap", TypeListZiplist: "list-ziplist", TypeSetIntset: "set-intset",
	TypeZSetZiplist: "zset-ziplist", TypeHashZiplist: "hash-ziplist", TypeListQuicklist: "list-quicklist",
	TypeStreamListpacks: "stream-listpacks", TypeHashListpack: "hash-listpack",
	TypeZSetListpack: "zset-listpack", TypeListQuicklist2: "list-quicklist-2",
	TypeStreamListpacks2: "stream-listpacks-2", TypeSetListpack: "set-listpack",
	TypeStreamListpacks3: "stream-listpacks-3",
}

func (t ObjType) String() string {
	if int(t) < len(objTypeNames) && objTypeNames[t] != "" {
		return objTypeNames[t]
	}
	return "type-" + strconv.Itoa(int(t))
}

func (t ObjType) valid() bool { return int(t) < len(objTypeNames) && objTypeNames[t] != "" }

// Quicklist node containers (QUICKLIST_NODE_CONTAINER_*).
const (
	containerPlain  = 1
	containerPacked = 2
)

// Module value opcodes (RDB_MODULE_OPCODE_*).
const (
	moduleOpEOF    = 0
	moduleOpSInt   = 1
	moduleOpUInt   = 2
	moduleOpFloat  = 3
	moduleOpDouble = 4
	moduleOpString = 5
)
