package server

// Command scripts for the differential test (diff_test.go): parsing, and rewriting a
// script's expected sections in place.

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"cairn/internal/resp"
)

// diffScript is one testdata/commands/*.txt file.
type diffScript struct {
	path     string
	lines    []string // the file's lines, without line ends
	requires string   // `# requires: <why>`: skipped everywhere unless satisfied
	pending  string   // `# status: pending <reason>`: not yet run against Cairn
	cases    []*diffCase
}

// diffCase is one block of command lines, `----`, and expected replies.
type diffCase struct {
	line   int // 1-based line of the first command line
	steps  []diffStep
	hasSep bool // the block has a `----` line
	// lines[expStart:expEnd] is the expected section (after `----`, up to the blank line).
	expStart, expEnd int
	expect           []*pattern // nil when the section did not parse (see expectErr)
	expectErr        error
}

// replies is how many replies the case's steps read.
func (dc *diffCase) replies() int {
	n := 0
	for _, st := range dc.steps {
		if st.kind == stepCommand && !st.noreply {
			n++
		}
	}
	return n
}

const (
	stepCommand = iota
	stepSleep
	stepProto
)

// diffStep is one command line.
type diffStep struct {
	line      int // 1-based
	text      string
	kind      int
	args      [][]byte      // stepCommand
	noreply   bool          // `noreply CMD ...`: send, read no reply
	sorted    bool          // `sorted CMD ...`: see rv.sortReply
	sortpairs bool          // `sortpairs CMD ...`: see rv.sortReplyPairs
	dur       time.Duration // stepSleep
	proto     int           // stepProto
}

// loadDiffScript reads and parses a script file.
func loadDiffScript(path string) (*diffScript, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	text := string(data)
	if !strings.HasSuffix(text, "\n") && text != "" {
		text += "\n"
	}
	lines := strings.Split(text, "\n")
	lines = lines[:len(lines)-1]
	sc := &diffScript{path: path, lines: lines}
	if err := sc.parse(); err != nil {
		return nil, fmt.Errorf("%s:%v", path, err)
	}
	return sc, nil
}

func (sc *diffScript) parse() error {
	var cur *diffCase
	inExpect := false
	end := func(i int) {
		if cur == nil {
			return
		}
		if inExpect {
			cur.expEnd = i
			exp := sc.lines[cur.expStart:cur.expEnd]
			cur.expect, cur.expectErr = parsePatterns(exp, cur.expStart+1)
		} else {
			cur.expStart, cur.expEnd = i, i
			if cur.replies() == 0 {
				cur.expect = []*pattern{}
			} else {
				cur.expectErr = fmt.Errorf("line %d: commands without `----` and expected replies (run with -rewrite)", cur.line)
			}
		}
		sc.cases = append(sc.cases, cur)
		cur, inExpect = nil, false
	}
	for i, line := range sc.lines {
		switch {
		case strings.TrimSpace(line) == "":
			end(i)
		case inExpect:
			// everything up to the blank line is expected output (`#t` is a RESP3 boolean)
		case strings.HasPrefix(line, "#"):
			if cur != nil {
				continue // a comment between command lines
			}
			body := strings.TrimSpace(strings.TrimPrefix(line, "#"))
			if r, ok := strings.CutPrefix(body, "requires:"); ok {
				sc.requires = strings.TrimSpace(r)
			}
			if r, ok := strings.CutPrefix(body, "status:"); ok {
				r = strings.TrimSpace(r)
				reason, ok := strings.CutPrefix(r, "pending")
				if !ok {
					return fmt.Errorf("%d: unknown status %q (want `# status: pending <reason>`)", i+1, r)
				}
				sc.pending = strings.TrimSpace(reason)
				if sc.pending == "" {
					return fmt.Errorf("%d: `# status: pending` needs a reason", i+1)
				}
			}
		case line == "----":
			if cur == nil {
				return fmt.Errorf("%d: `----` without command lines", i+1)
			}
			cur.hasSep, inExpect = true, true
			cur.expStart = i + 1
		default:
			if cur == nil {
				cur = &diffCase{line: i + 1}
			}
			st, err := parseStep(line, i+1)
			if err != nil {
				return err
			}
			cur.steps = append(cur.steps, st)
		}
	}
	end(len(sc.lines))
	return nil
}

// parseStep parses a command line: a directive (`sleep 150ms`, `proto 3`), or a command
// with Redis's inline quoting rules, optionally after modifiers (`noreply`, `sorted`,
// `sortpairs`).
func parseStep(line string, n int) (diffStep, error) {
	st := diffStep{line: n, text: line}
	rest := strings.TrimSpace(line)
	for {
		word, after, _ := strings.Cut(rest, " ")
		after = strings.TrimSpace(after)
		switch word {
		case "sleep":
			d, err := time.ParseDuration(after)
			if err != nil || d < 0 {
				return st, fmt.Errorf("%d: bad sleep duration %q", n, after)
			}
			st.kind, st.dur = stepSleep, d
			return st, nil
		case "proto":
			p, err := strconv.Atoi(after)
			if err != nil || (p != 2 && p != 3) {
				return st, fmt.Errorf("%d: proto must be 2 or 3, not %q", n, after)
			}
			st.kind, st.proto = stepProto, p
			return st, nil
		case "noreply":
			st.noreply = true
		case "sorted":
			st.sorted = true
		case "sortpairs":
			st.sortpairs = true
		default:
			args, err := splitCommandLine(rest)
			if err != nil {
				return st, fmt.Errorf("%d: %v", n, err)
			}
			if len(args) == 0 {
				return st, fmt.Errorf("%d: no command after modifiers", n)
			}
			st.kind, st.args = stepCommand, args
			return st, nil
		}
		rest = after
	}
}

// splitCommandLine splits a line as Redis splits an inline request (sdssplitargs):
// "double quotes" with \n \r \t \b \a \xHH escapes, 'single quotes' with \'.
func splitCommandLine(line string) ([][]byte, error) {
	var p resp.Parser
	args, ok, err := p.Next([]byte(line+"\n"), nil)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, nil
	}
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = append([]byte(nil), a...)
	}
	return out, nil
}

// rewrite returns the file's text with each case's expected section replaced by
// newExpect[i] (nil keeps the section as it is).
func (sc *diffScript) rewrite(newExpect [][]*pattern) string {
	var out []string
	at := 0
	for i, dc := range sc.cases {
		if newExpect[i] == nil {
			continue
		}
		out = append(out, sc.lines[at:dc.expStart]...)
		if !dc.hasSep {
			out = append(out, "----")
		}
		for _, p := range newExpect[i] {
			out = renderPattern(out, p, 0)
		}
		at = dc.expEnd
	}
	out = append(out, sc.lines[at:]...)
	return strings.Join(out, "\n") + "\n"
}
