package respval

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"+OK\r\n", "OK"},
		{":-12\r\n", "-12"},
		{"$3\r\na\r\n\r\n", `"a\r\n"`},
		{"$-1\r\n", "nil"},
		{"*-1\r\n", "nil"},
		{"_\r\n", "nil"},
		{"*2\r\n$1\r\na\r\n:1\r\n", `["a" 1]`},
		{"~1\r\n+x\r\n", "~[x]"},
		{"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*0\r\n", `{"a": 1 "b": []}`},
	} {
		v, err := ParseAll([]byte(tc.in))
		if err != nil {
			t.Errorf("ParseAll(%q): %v", tc.in, err)
			continue
		}
		if got := v.String(); got != tc.want {
			t.Errorf("ParseAll(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if v.Raw != tc.in {
			t.Errorf("ParseAll(%q).Raw = %q", tc.in, v.Raw)
		}
	}
	for _, in := range []string{
		"", "+OK", "+OK\r\n+extra\r\n", ":x\r\n", "$5\r\nab\r\n", "$2\r\nabcd", "*2\r\n:1\r\n",
		"~-1\r\n", "%-1\r\n", "_x\r\n", ",1.5\r\n", "!3\r\nerr\r\n",
	} {
		if v, err := ParseAll([]byte(in)); err == nil {
			t.Errorf("ParseAll(%q) = %s, want an error", in, v)
		}
	}
}

func TestGet(t *testing.T) {
	v, err := ParseAll([]byte("%2\r\n$1\r\na\r\n:1\r\n+b\r\n:2\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := v.Get("b"); !ok || got.Int != 2 {
		t.Errorf("Get(b) = %v, %v", got, ok)
	}
	if _, ok := v.Get("c"); ok {
		t.Error("Get(c) found something")
	}
}
