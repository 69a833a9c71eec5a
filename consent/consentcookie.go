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
// values are unquoted as net/http does.
func cookieValue(h http.Header, name string, ok func(string) bool) (string, bool) {
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				part, line = line, ""
			}
			part = strings.TrimLeft(part, " \t")
			if len(part) <= len(name) || part[len(name)] != '=' || part[:len(name)] != name {
				continue
			}
			v := strings.TrimRight(part[len(name)+1:], " \t")
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
	m  map[string]*cached
}

type cached struct {
	plain, gpc *State
	// old: the value verified under the consent cookie's old name (see
	// cookieNames), and is valid under that name only.
	old bool
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
		c.shards[i].m = make(map[string]*cached)
	}
	return c
}

// shard hashes the whole value. Picking characters of it is not enough:
// a signed value ends in base64 padding, and its middle is the decision
// time, the same for every cookie made in one second. The seed is the
// cache's own, so nobody can choose values that crowd one shard.
func (c *verifiedCache) shard(v string) *cacheShard {
	return &c.shards[maphash.String(c.seed, v)&15]
}

func (c *verifiedCache) get(v string) *cached {
	if c == nil {
		return nil
	}
	s := c.shard(v)
	s.mu.RLock()
	e := s.m[v]
	s.mu.RUnlock()
	return e
}

func (c *verifiedCache) put(v string, e *cached) {
	if c == nil {
		return
	}
	s := c.shard(v)
	s.mu.Lock()
	if len(s.m) >= c.perShard {
		for k := range s.m { // map order is randomised: random eviction
			delete(s.m, k)
			break
		}
	}
	s.m[strings.Clone(v)] = e
	s.mu.Unlock()
}
