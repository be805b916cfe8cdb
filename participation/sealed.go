package participation

import (
	"context"
	"crypto/hpke"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/ratusz/ratusz"
)

// Sealed ballots. A ballot is encrypted, as it is cast, under the public
// key of its edition with HPKE (RFC 9180): ML-KEM-768 with X25519 (so that
// a copy of the WAL or a backup kept for years does not open to a future
// quantum computer either), HKDF-SHA256 and AES-256-GCM. The private key
// exists only outside the database: it is shown once to the officer who
// opens the vote, printed for the commission, and typed back when the vote
// ends. Then every ballot is opened, the ballots are written in a random
// order in one transaction, and the sealed copies are deleted.
var (
	ballotKEM  = hpke.MLKEM768X25519()
	ballotKDF  = hpke.HKDFSHA256()
	ballotAEAD = hpke.AES256GCM()
)

// keyEncoding writes a private key as people copy it: capitals and digits
// without look-alikes' padding, in groups of four.
var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewBallotKey makes an edition's key pair: the private key as people
// write it down ("ABCD-EFGH-…") and the public key to store.
func NewBallotKey() (private string, public []byte, err error) {
	k, err := ballotKEM.GenerateKey()
	if err != nil {
		return "", nil, err
	}
	b, err := k.Bytes()
	if err != nil {
		return "", nil, err
	}
	return formatKey(b), k.PublicKey().Bytes(), nil
}

// DemoBallotKey derives a key pair from a phrase, for the demo data only,
// whose key is printed in the README.
func DemoBallotKey(phrase string) (private string, public []byte) {
	k, err := ballotKEM.DeriveKeyPair([]byte(phrase))
	if err != nil {
		panic(err)
	}
	b, _ := k.Bytes()
	return formatKey(b), k.PublicKey().Bytes()
}

func formatKey(b []byte) string {
	s := keyEncoding.EncodeToString(b)
	var out strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteRune(r)
	}
	return out.String()
}

// parseBallotKey reads a typed private key (dashes, spaces and case do not
// matter) and checks that it is the edition's.
func parseBallotKey(typed string, public []byte) (hpke.PrivateKey, error) {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '\n' || r == '\r':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, typed)
	if clean == "" {
		return nil, ratusz.Invalid("ballot_key", "err.pb.ballot_key_needed")
	}
	b, err := keyEncoding.DecodeString(clean)
	if err != nil {
		return nil, ratusz.Invalid("ballot_key", "err.pb.ballot_key_wrong")
	}
	k, err := ballotKEM.NewPrivateKey(b)
	if err != nil || string(k.PublicKey().Bytes()) != string(public) {
		return nil, ratusz.Invalid("ballot_key", "err.pb.ballot_key_wrong")
	}
	return k, nil
}

// sealedBallot is what a sealed ballot holds.
type sealedBallot struct {
	Receipt  []byte  `json:"r"`
	Projects []int64 `json:"p"`
	Points   []int32 `json:"s,omitempty"`
	Channel  string  `json:"c"`
}

// openedBallot is a ballot taken out of its seal.
type openedBallot = sealedBallot

func ballotInfo(editionID int64) []byte {
	return fmt.Appendf(nil, "ratusz pb ballot v1 edition %d", editionID)
}

// sealedSize is the one length every sealed ballot of an edition has, so
// that the length of a ciphertext tells nothing of the ballot (how many
// projects were chosen): room for every project on the ballot with points.
func sealedSize(projectsOnBallot int) int { return 128 + 40*projectsOnBallot }

// seal encrypts a ballot under the edition's public key, padded to size.
func seal(public []byte, editionID int64, b sealedBallot, size int) ([]byte, error) {
	pk, err := ballotKEM.NewPublicKey(public)
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	if len(plain) < size { // JSON ignores trailing spaces
		plain = append(plain, []byte(strings.Repeat(" ", size-len(plain)))...)
	}
	return hpke.Seal(pk, ballotKDF, ballotAEAD, ballotInfo(editionID), plain)
}

// openSealed opens every sealed ballot of an edition with the typed key.
func openSealed(ctx context.Context, tx pgx.Tx, e *Edition, typed string) ([]openedBallot, error) {
	k, err := parseBallotKey(typed, e.BallotKey)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, "SELECT sealed FROM pb_sealed_ballots WHERE edition_id = $1", e.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []openedBallot
	for rows.Next() {
		var c []byte
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		plain, err := hpke.Open(k, ballotKDF, ballotAEAD, ballotInfo(e.ID), c)
		if err != nil {
			return nil, fmt.Errorf("a sealed ballot of edition %d does not open: %w", e.ID, err)
		}
		var b openedBallot
		if err := json.Unmarshal(plain, &b); err != nil {
			return nil, fmt.Errorf("a sealed ballot of edition %d: %w", e.ID, err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// storeOpened writes the opened ballots as plain ballots, each under a new
// random id, in a random order, and deletes the sealed ones, in the
// transaction that ends the vote.
func storeOpened(ctx context.Context, tx pgx.Tx, editionID int64, ballots []openedBallot) error {
	for i := len(ballots) - 1; i > 0; i-- { // Fisher–Yates with crypto/rand
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return err
		}
		ballots[i], ballots[j.Int64()] = ballots[j.Int64()], ballots[i]
	}
	rows := make([][]any, 0, len(ballots))
	for _, b := range ballots {
		rows = append(rows, []any{newUUID(), editionID, b.Receipt, b.Projects, b.Points, b.Channel})
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pb_ballots"}, []string{"id", "edition_id", "receipt_hash", "projects", "points", "channel"}, pgx.CopyFromRows(rows)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, "DELETE FROM pb_sealed_ballots WHERE edition_id = $1", editionID)
	return err
}
