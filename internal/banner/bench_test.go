package banner

import (
	"bytes"
	"testing"
)

// The baselines copy the finished markup into the buffer: the floor any
// renderer pays. The distance to it is what rendering per request costs.

func benchRender(b *testing.B, d *Data, render func(*bytes.Buffer, *Data)) {
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		render(&buf, d)
	}
	b.SetBytes(int64(buf.Len()))
}

func benchBaseline(b *testing.B, d *Data, render func(*bytes.Buffer, *Data)) {
	var pre bytes.Buffer
	render(&pre, d)
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		buf.Write(pre.Bytes())
	}
	b.SetBytes(int64(buf.Len()))
}

func BenchmarkHead(b *testing.B) {
	b.Run("undecided", func(b *testing.B) { benchRender(b, undecided(), Head) })
	b.Run("decided", func(b *testing.B) { benchRender(b, decided(), Head) })
	b.Run("baseline", func(b *testing.B) { benchBaseline(b, undecided(), Head) })
}

func BenchmarkBody(b *testing.B) {
	body := func(buf *bytes.Buffer, d *Data) { Body(buf, d) }
	b.Run("undecided", func(b *testing.B) { benchRender(b, undecided(), body) })
	b.Run("decided", func(b *testing.B) { benchRender(b, decided(), body) })
	b.Run("baseline", func(b *testing.B) { benchBaseline(b, undecided(), body) })
}

func BenchmarkBodyStart(b *testing.B) {
	b.Run("undecided", func(b *testing.B) { benchRender(b, undecided(), BodyStart) })
	b.Run("decided", func(b *testing.B) { benchRender(b, decided(), BodyStart) })
	b.Run("baseline", func(b *testing.B) { benchBaseline(b, undecided(), BodyStart) })
}

func BenchmarkPreferences(b *testing.B) {
	fragment := func(buf *bytes.Buffer, d *Data) { Preferences(buf, d, true) }
	b.Run("fragment", func(b *testing.B) { benchRender(b, decided(), fragment) })
	b.Run("baseline", func(b *testing.B) { benchBaseline(b, decided(), fragment) })
}
