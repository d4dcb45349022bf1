package tpgenimpl

import (
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"strings"

	"github.com/tpgen/tpgen/runtime"
)

// streamMultipart streams a multipart/form-data body written by write, without
// holding it in memory. It returns the body and its Content-Type. The body can
// be sent once.
func streamMultipart(write func(w *multipart.Writer) error) (io.Reader, string) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := write(mw)
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, mw.FormDataContentType()
}

// writeFilePart writes a file part.
func writeFilePart(w *multipart.Writer, field string, f runtime.File) error {
	name, ct := f.Name, f.ContentType
	if name == "" {
		name = "file"
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quoteEscaper.Replace(field), quoteEscaper.Replace(name)))
	h.Set("Content-Type", ct)
	part, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	if f.Content == nil {
		return nil
	}
	_, err = io.Copy(part, f.Content)
	return err
}

// writeJSONPart writes a part holding v as JSON.
func writeJSONPart(w *multipart.Writer, field string, v any) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"`, quoteEscaper.Replace(field)))
	h.Set("Content-Type", "application/json")
	part, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	return json.NewEncoder(part).Encode(v)
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")
