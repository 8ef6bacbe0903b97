package prompts

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jitconsent/jitconsent/engine/bundle"
)

// GenerateKey makes an ed25519 key pair for signing bundles and returns
// both as PEM (PKCS #8 private key, PKIX public key).
func GenerateKey() (privPEM, pubPEM []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	p8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, err
	}
	pk, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
		pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pk}), nil
}

// ReadPrivateKey reads a PEM ed25519 private key file.
func ReadPrivateKey(path string) (ed25519.PrivateKey, error) {
	block, err := readPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an ed25519 key", path)
	}
	return priv, nil
}

// ReadPublicKey reads a PEM ed25519 public key file.
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	block, err := readPEM(path, "PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an ed25519 key", path)
	}
	return pub, nil
}

func readPEM(path, typ string) (*pem.Block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New(path + ": no PEM block")
	}
	if block.Type != typ {
		return nil, fmt.Errorf("%s: a %s, not a %s", path, block.Type, typ)
	}
	return block, nil
}

// WriteKeyPair makes a key pair and writes it to prefix.key (the private
// key, readable by its owner only) and prefix.pub; it never overwrites a
// key. It returns the public key's id (bundle.KeyID).
func WriteKeyPair(prefix string) (string, error) {
	for _, f := range []string{prefix + ".key", prefix + ".pub"} {
		if _, err := os.Stat(f); err == nil {
			return "", fmt.Errorf("%s exists: keygen does not overwrite keys", f)
		}
	}
	priv, pub, err := GenerateKey()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(prefix), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(prefix+".key", priv, 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(prefix+".pub", pub, 0o644); err != nil {
		return "", err
	}
	k, err := ReadPublicKey(prefix + ".pub")
	if err != nil {
		return "", err
	}
	return bundle.KeyID(k), nil
}

// TrustedKeys reads public key files and returns them as the wasm
// module's build takes them (-ldflags -X main.trustedKeys=...): the raw
// 32-byte ed25519 keys in standard base64, separated by commas.
func TrustedKeys(files ...string) (string, error) {
	var out []string
	for _, f := range files {
		k, err := ReadPublicKey(f)
		if err != nil {
			return "", err
		}
		out = append(out, base64.StdEncoding.EncodeToString(k))
	}
	return strings.Join(out, ","), nil
}
