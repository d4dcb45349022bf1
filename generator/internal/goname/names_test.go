package goname

import (
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"fooBar", []string{"foo", "Bar"}},
		{"HTTPServer", []string{"HTTP", "Server"}},
		{"OAuth2Token", []string{"O", "Auth2", "Token"}},
		{"IPv6Address", []string{"I", "Pv6", "Address"}},
		{"v2beta", []string{"v2beta"}},
		{"HTTP2Server", []string{"HTTP2", "Server"}},
		{"get401Error", []string{"get401", "Error"}},
		{"snake_case-and kebab", []string{"snake", "case", "and", "kebab"}},
		{"ABC", []string{"ABC"}},
		{"2FA", []string{"2FA"}},
		{"4XX", []string{"4XX"}},
		{"Pet3DModel", []string{"Pet3D", "Model"}},
		{"Pet3dModel", []string{"Pet3d", "Model"}},
		{"", nil},
		{"--", nil},
	} {
		if got := Words(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("words(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestExportedName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"OAuth2Token", "OAuth2Token"},
		{"IPv6Address", "IPv6Address"},
		{"oauth2_token", "Oauth2Token"},
		{"user_id", "UserID"},
		{"URLPath", "URLPath"},
		{"http2Server", "Http2Server"},
		{"v2beta", "V2beta"},
		{"CreateOrder400Error", "CreateOrder400Error"},
		{"2fa", "N2fa"},
		{"utf8String", "UTF8String"},
		{"Ünïcode", "U" + "dcn" + "U" + "ef" + "code"},
		{"---", ""},
	} {
		if got := ExportedName(tc.in); got != tc.want {
			t.Errorf("exportedName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValueName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+1", "Plus1"},
		{"-1", "Minus1"},
		{"", "Empty"},
		{"*", "Star"},
		{"read", "Read"},
		{"in_progress", "InProgress"},
		{"a.b", "AB"},
	} {
		if got := ValueName(tc.in); got != tc.want {
			t.Errorf("valueName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSuffixName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1", "1"},
		{"404", "404"},
		{"2XX", "2xx"},
		{"default", "Default"},
		{"v1", "V1"},
	} {
		if got := SuffixName(tc.in); got != tc.want {
			t.Errorf("suffixName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestUnexportedName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ID", "id"},
		{"URLPath", "urlPath"},
		{"petId", "petID"},
		{"OAuth2Token", "oAuth2Token"},
		{"type", "type_"},
		{"ctx", "ctx_"},
		{"", "v"},
	} {
		if got := UnexportedName(tc.in); got != tc.want {
			t.Errorf("unexportedName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPackageName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"orders-v2", "ordersv2"},
		{"2fa", "api2fa"},
		{"type", "typeapi"},
		{"---", "api"},
	} {
		if got := PackageName(tc.in); got != tc.want {
			t.Errorf("packageName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNamespace(t *testing.T) {
	ns := NewNamespace("Client")
	for _, want := range []string{"Client2", "Client3"} {
		if got := ns.Claim("Client"); got != want {
			t.Errorf("claim(Client) = %q, want %q", got, want)
		}
	}
	if got := ns.Claim("Pet"); got != "Pet" || !ns.Has("Pet") {
		t.Errorf("claim(Pet) = %q", got)
	}
}
