package roundtrip_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/internal/roundtrip/gen/bodies"
	"github.com/tpgen/tpgen/internal/specserver"
	"github.com/tpgen/tpgen/runtime"
)

// TestBodies sends every body kind through the generated client to a server
// that validates it against the spec (openapi3filter decodes form and
// multipart bodies) and reads back text and binary responses.
func TestBodies(t *testing.T) {
	blobs := map[string][]byte{}
	var lastForm url.Values
	var lastParts map[string]string
	srv, err := specserver.Start("specs/bodies.yaml", func(w http.ResponseWriter, r *http.Request, op string, pp map[string]string) {
		switch op {
		case "postForm":
			r.ParseForm()
			lastForm = r.PostForm
			w.WriteHeader(204)
		case "upload":
			_, ps, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			mr := multipart.NewReader(r.Body, ps["boundary"])
			lastParts = map[string]string{}
			size := 0
			for {
				p, err := mr.NextPart()
				if err != nil {
					break
				}
				b, _ := io.ReadAll(p)
				lastParts[p.FormName()] = p.Header.Get("Content-Type") + "|" + p.FileName() + "|" + string(b)
				if p.FormName() == "file" {
					size = len(b)
				}
			}
			w.Header().Set("Content-Type", "application/vnd.store+json")
			w.WriteHeader(201)
			io.WriteString(w, `{"size":`+strconv.Itoa(size)+`}`)
		case "putBlob":
			b, _ := io.ReadAll(r.Body)
			blobs[pp["name"]] = b
			w.WriteHeader(204)
		case "getBlob":
			b := blobs[pp["name"]]
			sum := sha256.Sum256(b)
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("X-Checksum", hex.EncodeToString(sum[:]))
			w.Write(b)
		case "postNote":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, strings.ToUpper(string(b)))
		}
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	defer func() {
		for _, c := range srv.Invalid() {
			t.Errorf("%s %s does not conform to the spec: %v", c.Method, c.Path, c.Err)
		}
	}()
	c, err := bodies.New(noEnv, runtime.WithBaseURL(srv.BaseURL()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	if err := c.PostForm(ctx, &bodies.PostFormRequest{Name: "Ada Lovelace", Age: ptr(36), Tags: []string{"math", "poetry"}}); err != nil {
		t.Fatal(err)
	}
	if lastForm.Get("name") != "Ada Lovelace" || lastForm.Get("age") != "36" || strings.Join(lastForm["tags"], ",") != "math,poetry" {
		t.Errorf("form = %v", lastForm)
	}

	// The multipart body is streamed from a reader the test never buffers.
	pr, pw := io.Pipe()
	go func() {
		for range 64 {
			pw.Write([]byte(strings.Repeat("x", 1024)))
		}
		pw.Close()
	}()
	stored, err := c.Upload(ctx, &bodies.UploadRequest{
		Title: "report", Pages: ptr(3),
		File: &runtime.File{Name: "report.pdf", ContentType: "application/pdf", Content: pr},
		Meta: &bodies.UploadRequestMeta{Author: ptr("Ada")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if stored.Size == nil || *stored.Size != 64*1024 {
		t.Errorf("stored = %+v", stored)
	}
	if lastParts["title"] != "||report" || lastParts["pages"] != "||3" || !strings.HasPrefix(lastParts["file"], "application/pdf|report.pdf|xxx") ||
		lastParts["meta"] != "application/json||{\"author\":\"Ada\"}\n" {
		t.Errorf("parts = %q", lastParts)
	}

	blob := []byte("\x00\x01binary\xff")
	if err := c.PutBlob(ctx, "a b", strings.NewReader(string(blob))); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBlob(ctx, "a b")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(got.Body)
	got.Body.Close()
	sum := sha256.Sum256(blob)
	if err != nil || string(b) != string(blob) || got.XChecksum == nil || *got.XChecksum != hex.EncodeToString(sum[:]) {
		t.Errorf("GetBlob = %q, %v, checksum %v", b, err, got.XChecksum)
	}

	if s, err := c.PostNote(ctx, "hello"); err != nil || s != "HELLO" {
		t.Errorf("PostNote = %q, %v", s, err)
	}
}
