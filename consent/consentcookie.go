package consent

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/securecookie"
)

// The consent cookie's payload is a fixed 42-byte binary record, signed (and
// optionally encrypted) by securecookie with its NopEncoder. It is a quarter
// of the size of a gob encoding and decodes without reflection.
//
//	[0]      format version (1)
//	[1:17]   consent ID
//	[17:25]  revision
//	[25:33]  decided at, Unix seconds, big endian
//	[33:41]  granted categories, bit i = configured category i
//	[41]     method; its top bit marks an opt-out of sale and sharing
//	         (State.optOut), which is not a consent
const (
	payloadVersion = 1
	payloadLen     = 42
	// maxCookieLen bounds what is even looked at: a real consent cookie is
	// about 130 bytes signed and 200 encrypted.
	maxCookieLen = 512
	// clockSkew is how far in the future a decision time may be before the
	// cookie is treated as forged.
	clockSkew = 5 * time.Minute
)

// optOutBit is set in the method byte of an opt-out's cookie.
const optOutBit = 0x80

var methodCodes = []Method{MethodNone, MethodBanner, MethodForm, MethodAPI, MethodGPC}

func methodCode(m Method) byte {
	for i, x := range methodCodes {
		if x == m {
			return byte(i)
		}
	}
	return 0
}

type codec struct {
	name   string // the name new cookies are written, and signed, under
	codecs []securecookie.Codec
}

func newCodec(name string, keys []KeyPair) (*codec, error) {
	pairs := make([][]byte, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k.HashKey, k.BlockKey)
	}
	c := &codec{name: name, codecs: securecookie.CodecsFromPairs(pairs...)}
	for i, sc := range c.codecs {
		s, ok := sc.(*securecookie.SecureCookie)
		if !ok {
			return nil, fmt.Errorf("%w: securecookie returned an unexpected codec", ErrBadKey)
		}
		// Expiry is checked against the decision time in the payload
		// with the Manager's clock, so securecookie's own wall-clock
		// check is off.
		s.SetSerializer(securecookie.NopEncoder{}).MaxAge(0).MaxLength(maxCookieLen)
		// securecookie keeps configuration errors until first use;
		// surface them now.
		if _, err := s.Encode(name, make([]byte, payloadLen)); err != nil {
			return nil, fmt.Errorf("%w: Keys[%d]: %v", ErrBadKey, i, err)
		}
	}
	return c, nil
}

func (c *codec) encode(p []byte) (string, error) {
	return securecookie.EncodeMulti(c.name, p, c.codecs[0])
}

// decode verifies v as the value of the cookie called name: securecookie
// signs the name with the value, so a value made for one name does not
// verify under another.
func (c *codec) decode(name, v string) ([]byte, error) {
	if len(v) > maxCookieLen {
		return nil, ErrCookieTooLong
	}
	if !canonicalBase64(v) {
		return nil, ErrCookieInvalid
	}
	var b []byte
	for _, sc := range c.codecs {
		if err := sc.Decode(name, v, &b); err == nil {
			return b, nil
		}
	}
	return nil, ErrCookieInvalid
}

// b64val maps a byte to its value in base64.URLEncoding's alphabet, or -1.
var b64val = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	return t
}()

// canonicalBase64 reports whether v is the one spelling base64.URLEncoding
// gives its bytes: alphabet characters only, padded to a multiple of four,
// and zero in the bits the padding leaves over. securecookie's decoder is
// lenient: it ignores those bits (16 spellings of a value padded with "==",
// 4 with "=") and line breaks anywhere, and its MAC covers the decoded
// bytes only. Accepting one spelling keeps a cookie value one cache entry
// and one "already withdrawn" entry, however it is respelled.
func canonicalBase64(v string) bool {
	if len(v) == 0 || len(v)%4 != 0 {
		return false
	}
	pad := 0
	if v[len(v)-1] == '=' {
		pad = 1
		if v[len(v)-2] == '=' {
			pad = 2
		}
	}
	data := v[:len(v)-pad]
	for i := 0; i < len(data); i++ {
		if b64val[data[i]] < 0 {
			return false
		}
	}
	switch last := b64val[data[len(data)-1]]; pad {
	case 1:
		return last&3 == 0
	case 2:
		return last&15 == 0
	}
	return true
}

func marshalPayload(s *State) []byte {
	b := make([]byte, payloadLen)
	b[0] = payloadVersion
	copy(b[1:17], s.id[:])
	copy(b[17:25], s.rev[:])
	binary.BigEndian.PutUint64(b[25:33], uint64(s.decidedAt.Unix()))
	binary.BigEndian.PutUint64(b[33:41], s.granted)
	b[41] = methodCode(s.method)
	if s.optOut {
		b[41] |= optOutBit
	}
	return b
}

// unmarshalPayload parses a verified payload. The state it returns is
// decided; the caller checks revision and expiry.
func unmarshalPayload(b []byte, set *categorySet) (*State, error) {
	if len(b) != payloadLen || b[0] != payloadVersion {
		return nil, ErrCookieInvalid
	}
	s := &State{decided: true, set: set}
	copy(s.id[:], b[1:17])
	copy(s.rev[:], b[17:25])
	sec := binary.BigEndian.Uint64(b[25:33])
	if sec > 1<<40 {
		return nil, ErrCookieInvalid
	}
	s.decidedAt = time.Unix(int64(sec), 0).UTC()
	s.granted = binary.BigEndian.Uint64(b[33:41])&set.allMask | 1
	s.optOut = b[41]&optOutBit != 0
	code := b[41] &^ optOutBit
	if int(code) >= len(methodCodes) || code == 0 {
		return nil, ErrCookieInvalid
	}
	s.method = methodCodes[code]
	return s, nil
}

// cookieValue returns the value of the first cookie called name in the
// request's Cookie headers that satisfies ok, without allocating. Quoted
// values are unquoted as net/http does. name is a token (validCookieName),
// as Config makes sure of the middleware's own names.
func cookieValue(h http.Header, name string, ok func(string) bool) (string, bool) {
	for _, line := range h["Cookie"] {
		// Without strings.Trim*: this runs on every request, and the
		// calls cost more than the loops; the ';' search stays
		// IndexByte, which steps over long values 32 bytes at a time.
		// (Searching for the name instead of splitting measured worse:
		// strings.Index costs more than the splits it saves.)
		for len(line) > 0 {
			for len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
				line = line[1:]
			}
			part := line
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				line = ""
			}
			if len(part) <= len(name) || part[len(name)] != '=' || part[:len(name)] != name {
				continue
			}
			v := part[len(name)+1:]
			for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
				v = v[:len(v)-1]
			}
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			if ok == nil || ok(v) {
				return v, true
			}
		}
	}
	return "", false
}

// verifiedCache remembers cookie values whose signature has been checked, so
// that a repeat visitor costs a map lookup instead of an HMAC. Only values
// that verified are kept, each at most maxCookieLen bytes, and the number of
// entries is bounded: an attacker can neither grow it with forged cookies nor
// past its size with real ones. Revision and expiry are checked on every
// hit by the caller.
type verifiedCache struct {
	seed     maphash.Seed
	shards   [16]cacheShard
	perShard int
}

type cacheShard struct {
	mu sync.RWMutex
	// m is keyed by the value's seeded 64-bit hash, which picks the
	// shard as well: one hash a lookup instead of the shard's and the
	// map's. The entry holds the value, compared on every hit.
	m map[uint64]*cached
}

type cached struct {
	plain, gpc *State
	// old: the value verified under the consent cookie's old name (see
	// cookieNames), and is valid under that name only.
	old bool
	// value is the cookie value that verified, the cache's true key.
	value string
	// regional[gpc] is the last State Regions made of plain or gpc for a
	// request (region.go), reused while the visitor stays where they are.
	regional [2]atomic.Pointer[State]
}

func newVerifiedCache(size int) *verifiedCache {
	if size < 0 {
		return nil
	}
	c := &verifiedCache{seed: maphash.MakeSeed(), perShard: max(size/16, 1)}
	for i := range c.shards {
		c.shards[i].m = make(map[uint64]*cached)
	}
	return c
}

// hash hashes the end of the value, its last 16 characters before the
// base64 padding: securecookie puts the HMAC last, so for the values the
// cache holds, which all verified, those are 96 bits of the MAC, as
// uniform as a hash of the whole and a tenth of its cost on a path every
// request takes. The rest of the value (its middle is the decision time,
// the same for every cookie made in one second) adds nothing; the seed is
// the cache's own, so nobody can choose values that crowd one shard. A
// value that shares the tail with a cached one is a miss (see get).
func (c *verifiedCache) hash(v string) (*cacheShard, uint64) {
	t := v
	for len(t) > 0 && t[len(t)-1] == '=' {
		t = t[:len(t)-1]
	}
	t = t[max(len(t)-16, 0):]
	h := maphash.String(c.seed, t)
	return &c.shards[h&15], h
}

func (c *verifiedCache) get(v string) *cached {
	if c == nil {
		return nil
	}
	s, h := c.hash(v)
	s.mu.RLock()
	e := s.m[h]
	s.mu.RUnlock()
	if e == nil || e.value != v {
		return nil // a collision is a miss: the value is verified again
	}
	return e
}

func (c *verifiedCache) put(v string, e *cached) {
	if c == nil {
		return
	}
	e.value = strings.Clone(v)
	s, h := c.hash(v)
	s.mu.Lock()
	if _, replace := s.m[h]; !replace && len(s.m) >= c.perShard {
		for k := range s.m { // map order is randomised: random eviction
			delete(s.m, k)
			break
		}
	}
	s.m[h] = e
	s.mu.Unlock()
}
