package auditlog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// SignedHead is a position of the chain as a Log saw it committed, signed
// with Options.Key: the record at Seq hashed to Hash at Time. Kept in a
// Witness, out of reach of whoever can write the database, it proves that
// the chain once reached Seq, so that a database rolled back to an older
// state, signatures and all, no longer verifies.
type SignedHead struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	Time time.Time `json:"time"`
	// MAC is HMAC-SHA256 with Options.Key over the other fields, so that
	// whoever can write the witness but lacks the key cannot add a head.
	MAC string `json:"mac"`
}

// Witness keeps signed chain heads somewhere the database's attacker cannot
// reach: another disk, another host, a write-once bucket. A Log with
// Options.Witness appends the head of every checkpoint it writes, and its
// last head when it closes; Verify then proves that every witnessed head
// is still part of the chain and that the database's head is not older
// than the newest witnessed one.
//
// The contract:
//   - Append stores h durably (on stable storage, not in a cache) before it
//     returns nil, after every head appended before it. It must be safe for
//     concurrent use. A Log calls it from its writer, so a slow Append
//     slows the records of the batch that crossed a checkpoint; it is
//     given Options.WriteTimeout.
//   - Heads returns every head appended so far, in the order appended,
//     signatures unchecked (Verify checks them). When some entries cannot
//     be read, for example the last write was torn by a crash, Heads
//     returns the others together with an error wrapping
//     ErrWitnessDamaged that says which; any other error means nothing
//     could be read.
//   - Nothing is ever removed or rewritten: a witness that forgets heads
//     proves less, and one whose newest head goes back lets a rollback
//     through.
type Witness interface {
	Append(ctx context.Context, h SignedHead) error
	Heads(ctx context.Context) ([]SignedHead, error)
}

const witnessDomain = "consentkit/auditlog/witness/v1"

func witnessMessage(h *SignedHead) []byte {
	b := appendString(nil, witnessDomain)
	b = binary.BigEndian.AppendUint64(b, uint64(h.Seq))
	b = appendString(b, h.Hash)
	return binary.BigEndian.AppendUint64(b, uint64(h.Time.UnixMicro()))
}

// signHead returns the signed head for the record at seq.
func (l *Log) signHead(seq int64, hash string, at time.Time) SignedHead {
	h := SignedHead{Seq: seq, Hash: hash, Time: time.UnixMicro(at.UnixMicro()).UTC()}
	h.MAC = l.sign.mac(witnessMessage(&h))
	return h
}

// FileWitness is a Witness kept in an append-only file, one JSON object a
// line, each line a self-contained signed head. Put the file where the
// database's attacker cannot write: another disk, a host mounted over the
// network, a file system that only allows appending (chattr +a). Give each
// process its own file: appends within a process are serialised, appends
// of several processes to one file are not.
type FileWitness struct {
	path string

	mu sync.Mutex
	f  *os.File
	// tornTail is set when the file may end inside a line (a write torn by
	// a crash, or one that failed): the next append starts a new line, so
	// that it is never glued to the fragment.
	tornTail bool
}

var _ Witness = (*FileWitness)(nil)

// NewFileWitness opens the witness file at path, creating it (mode 0600)
// when it does not exist. Close it after the Logs that use it.
func NewFileWitness(path string) (*FileWitness, error) {
	if path == "" {
		return nil, errors.New("auditlog: witness path is empty")
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("auditlog: open witness file: %w", err)
	}
	if errors.Is(statErr, os.ErrNotExist) {
		// The file's directory entry must survive a crash too.
		if err := syncDir(filepath.Dir(path)); err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("auditlog: create witness file: %w", err)
		}
	}
	w := &FileWitness{path: path, f: f}
	if w.tornTail, err = endsInsideLine(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("auditlog: read witness file: %w", err)
	}
	return w, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// endsInsideLine reports whether f is not empty and does not end with a
// newline.
func endsInsideLine(f *os.File) (bool, error) {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return false, err
	}
	var last [1]byte
	if _, err := f.ReadAt(last[:], st.Size()-1); err != nil {
		return false, err
	}
	return last[0] != '\n', nil
}

// Append writes h as one line, in one write, and fsyncs the file.
func (w *FileWitness) Append(ctx context.Context, h SignedHead) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	line, err := json.Marshal(witnessLine{V: 1, SignedHead: h})
	if err != nil {
		return fmt.Errorf("auditlog: witness: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return errors.New("auditlog: witness file is closed")
	}
	if _, err := w.f.Write(frameLine(line, w.tornTail)); err != nil {
		w.tornTail = true
		return fmt.Errorf("auditlog: append to witness file: %w", err)
	}
	w.tornTail = false
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("auditlog: sync witness file: %w", err)
	}
	return nil
}

// frameLine returns line as written to the file: ended by a newline, and
// after one when the file may end inside a torn line.
func frameLine(line []byte, tornTail bool) []byte {
	buf := make([]byte, 0, len(line)+2)
	if tornTail {
		buf = append(buf, '\n')
	}
	return append(append(buf, line...), '\n')
}

// witnessLine is one line of a FileWitness: a version, so that the format
// can change, and the head.
type witnessLine struct {
	V int `json:"v"`
	SignedHead
}

// maxWitnessLine bounds one line, so that a damaged file cannot make Heads
// read it whole into one buffer. A line is about 200 bytes.
const maxWitnessLine = 4096

// Heads reads the file from the start. Lines that do not parse are
// skipped and reported through an error wrapping ErrWitnessDamaged; a
// last line without its newline is a write torn by a crash.
func (w *FileWitness) Heads(ctx context.Context) ([]SignedHead, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f, err := os.Open(w.path)
	if err != nil {
		return nil, fmt.Errorf("auditlog: read witness file: %w", err)
	}
	defer f.Close()
	return readHeads(ctx, f, w.path)
}

// readHeads parses a witness file's lines (see FileWitness.Heads); name
// goes into the damage report.
func readHeads(ctx context.Context, rd io.Reader, name string) ([]SignedHead, error) {
	r := bufio.NewReaderSize(rd, 2*maxWitnessLine)
	var heads []SignedHead
	var damaged []string
	for n := 1; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		line, complete, err := readLine(r)
		if err != nil {
			return nil, fmt.Errorf("auditlog: read witness file: %w", err)
		}
		if line == nil {
			break
		}
		h, ok := parseWitnessLine(line)
		switch {
		case ok && complete:
			heads = append(heads, h)
		case !complete:
			damaged = append(damaged, fmt.Sprintf("line %d is incomplete (a write torn by a crash)", n))
		default:
			damaged = append(damaged, fmt.Sprintf("line %d cannot be read", n))
		}
	}
	if len(damaged) > 0 {
		return heads, fmt.Errorf("%w: %s: %s", ErrWitnessDamaged, name, strings.Join(damaged, "; "))
	}
	return heads, nil
}

// readLine returns the next line without its newline, nil at the end of
// the file; newline is false for a last line that has none. A line longer
// than maxWitnessLine is cut there, which makes it fail to parse.
func readLine(r *bufio.Reader) (line []byte, newline bool, err error) {
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk[:min(len(chunk), max(0, maxWitnessLine-len(line)))]...)
		switch {
		case err == nil:
			return bytes.TrimSuffix(line, []byte("\n")), true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(line) == 0 {
				return nil, false, nil
			}
			return line, false, nil
		default:
			return nil, false, err
		}
	}
}

func parseWitnessLine(line []byte) (SignedHead, bool) {
	var wl witnessLine
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wl); err != nil || dec.More() || wl.V != 1 {
		return SignedHead{}, false
	}
	return wl.SignedHead, true
}

// Close closes the file. Appends after Close fail.
func (w *FileWitness) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
