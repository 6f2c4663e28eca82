package dict

// Snapshot marks: the dict's part of Cairn's fork-less, point-in-time snapshots.
//
// While marks are on, every entry is either marked (already written to the snapshot,
// or created after it began) or unmarked (still to be written, with its value as it was
// when the snapshot began). The saver walks the arena — entries never move, so a walk
// in short steps, with writes in between, still meets every slot once — and writes and
// marks the unmarked entries it finds. Before a writer changes or deletes an unmarked
// entry it writes it first (MarkForWrite), so the snapshot gets the old value. Inserts
// are marked as they happen, so new keys stay out. One bit per arena slot, allocated
// only while a snapshot runs.

// BeginMarks starts a snapshot: every existing entry becomes unmarked.
func (d *Dict[V]) BeginMarks() {
	d.marks = make([]uint64, (d.arena.n+64)/64+1)
}

// EndMarks ends the snapshot and frees the bitmap.
func (d *Dict[V]) EndMarks() { d.marks = nil }

// Marking reports whether a snapshot is running on this dict.
func (d *Dict[V]) Marking() bool { return d.marks != nil }

func (d *Dict[V]) setMark(r uint32) {
	w := int(r / 64)
	if w >= len(d.marks) {
		grown := make([]uint64, max(w+1, 2*len(d.marks)))
		copy(grown, d.marks)
		d.marks = grown
	}
	d.marks[w] |= 1 << (r % 64)
}

func (d *Dict[V]) marked(r uint32) bool {
	w := int(r / 64)
	return w < len(d.marks) && d.marks[w]&(1<<(r%64)) != 0
}

// MarkForWrite is called before key's value is changed or the key deleted while a
// snapshot runs: if the entry is still unmarked, save sees it (its current value, the
// one the snapshot must hold) and it is marked. It does nothing when no snapshot runs
// or the key does not exist. It does not rehash or allocate.
func (d *Dict[V]) MarkForWrite(key []byte, save func(key string, v *V)) {
	if d.marks == nil || d.Len() == 0 {
		return
	}
	k := bstr(key)
	h := d.hash(k)
	for t := 0; t < 2; t++ {
		tab := d.tables[t]
		if tab == nil {
			continue
		}
		for r := tab[h&uint32(len(tab)-1)]; r != 0; {
			e := d.arena.at(r)
			if e.hash == h && e.key == k {
				if !d.marked(r) {
					save(e.key, &e.val)
					d.setMark(r)
				}
				return
			}
			r = e.next
		}
	}
}

// WalkUnmarked visits up to n arena slots starting at slot from (begin with 1), calls
// save for each live unmarked entry and marks it. It returns the slot to continue from,
// or 0 when the whole arena has been walked.
func (d *Dict[V]) WalkUnmarked(from uint32, n int, save func(key string, v *V)) uint32 {
	if from == 0 {
		from = 1
	}
	end := min(d.arena.n+1, from+uint32(n))
	for r := from; r < end; r++ {
		e := d.arena.at(r)
		if e.next&freeBit != 0 || d.marked(r) {
			continue
		}
		save(e.key, &e.val)
		d.setMark(r)
	}
	if end > d.arena.n {
		return 0
	}
	return end
}
