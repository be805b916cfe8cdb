package bip_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/account"
	"github.com/ratusz/ratusz/internal/pg"
	"github.com/ratusz/ratusz/internal/testdb"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func secretary(t *testing.T, pool *pgxpool.Pool) context.Context {
	t.Helper()
	sys := ratusz.NewContextWithActor(context.Background(), ratusz.System)
	u, err := account.NewService(pool).CreateUser(sys, account.UserInput{Email: "biuro@gmina.pl", Name: "Joanna Kamińska", Roles: []ratusz.Role{ratusz.RoleSecretary}, Password: "0123456789ab"})
	if err != nil {
		t.Fatal(err)
	}
	return ratusz.NewContextWithActor(context.Background(), u.Actor())
}

func draft(title string) bip.Draft {
	return bip.Draft{
		Category: "uchwaly", Title: title,
		Body:       "## Uzasadnienie\n\nRada postanawia:\n\n1. przyjąć\n2. wykonać\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[BIP](https://bip.gov.pl)",
		ProducedBy: "Rada Gminy Przykładowo", Responsible: "Przewodniczący Rady",
		ProducedAt: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC),
	}
}

func TestPublishReviseWithdraw(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := bip.NewService(pool)
	defer s.Close()
	ctx := secretary(t, pool)

	p, err := s.Create(ctx, draft("Uchwała nr XII/145/2026"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != 1 || p.Metadata.EnteredBy != "Joanna Kamińska" || p.Metadata.PublishedAt.IsZero() || p.Category.Slug != "uchwaly" {
		t.Fatalf("publication %+v", p)
	}
	for _, want := range []string{"<h3", "<ol>", "<table>", `href="https://bip.gov.pl"`} {
		if !strings.Contains(p.BodyHTML, want) {
			t.Errorf("body HTML lacks %s: %s", want, p.BodyHTML)
		}
	}

	t.Run("ErrReasonRequired", func(t *testing.T) {
		_, err := s.Update(ctx, p.ID, draft("Uchwała nr XII/145/2026 (popr.)"), "  ")
		if ratusz.ErrorCode(err) != ratusz.EINVALID || ratusz.ErrorField(err) != "change_reason" {
			t.Fatalf("err = %v", err)
		}
	})
	d := draft("Uchwała nr XII/145/2026 w sprawie budżetu")
	d.Body = strings.Replace(d.Body, "wykonać", "wykonać niezwłocznie", 1)
	p2, err := s.Update(ctx, p.ID, d, "Uzupełnienie tytułu")
	if err != nil {
		t.Fatal(err)
	}
	if p2.Version != 2 || p2.ChangeReason != "Uzupełnienie tytułu" {
		t.Fatalf("revision %+v", p2)
	}
	old, err := s.FindVersion(ctx, p.ID, 1)
	if err != nil || old.Title != "Uchwała nr XII/145/2026" {
		t.Fatalf("version 1 no longer readable: %v %v", old, err)
	}
	diff := bip.Diff(old.Body, p2.Body)
	var ins []string
	for _, op := range diff {
		if op.Kind == "ins" {
			ins = append(ins, op.Text)
		}
	}
	if strings.Join(ins, "|") != " niezwłocznie" {
		t.Fatalf("word diff inserted %q", ins)
	}

	w, err := s.Remove(ctx, p.ID, "Uchylona uchwałą XIII/150/2026")
	if err != nil {
		t.Fatal(err)
	}
	if !w.Withdrawn || w.Version != 3 || w.Kind != "withdraw" || w.Title != p2.Title {
		t.Fatalf("withdrawal %+v", w)
	}
	if _, err := s.Update(ctx, p.ID, d, "po wycofaniu"); ratusz.ErrorCode(err) != ratusz.ECONFLICT {
		t.Fatalf("revising a withdrawn publication: %v", err)
	}
	versions, _ := s.FindVersions(ctx, p.ID)
	if len(versions) != 3 || versions[2].Kind != "withdraw" {
		t.Fatalf("history %+v", versions)
	}
	changes, total, err := s.Changes(ctx, bip.ChangeFilter{PublicationID: p.ID})
	if err != nil || total != 3 || changes[0].Kind != "withdraw" || changes[0].Seq != 3 {
		t.Fatalf("change register: %d %+v %v", total, changes, err)
	}
	if head, err := s.Verify(ctx); err != nil || head.Seq != 3 {
		t.Fatalf("verify: %v %v", head, err)
	}
}

func TestPublishValidation(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := bip.NewService(pool)
	defer s.Close()
	ctx := secretary(t, pool)
	cases := map[string]func(*bip.Draft){
		"category":    func(d *bip.Draft) { d.Category = "nie-ma" },
		"title":       func(d *bip.Draft) { d.Title = " " },
		"body":        func(d *bip.Draft) { d.Body = "" },
		"produced_by": func(d *bip.Draft) { d.ProducedBy = "" },
		"responsible": func(d *bip.Draft) { d.Responsible = "" },
		"produced_at": func(d *bip.Draft) { d.ProducedAt = time.Now().Add(72 * time.Hour) },
		"attachments": func(d *bip.Draft) { d.Attachments = []bip.NewAttachment{{Name: "../../etc/passwd", Data: []byte("x")}} },
	}
	for field, spoil := range cases {
		t.Run("Err_"+field, func(t *testing.T) {
			d := draft("X")
			spoil(&d)
			_, err := s.Create(ctx, d)
			if ratusz.ErrorCode(err) != ratusz.EINVALID || ratusz.ErrorField(err) != field {
				t.Fatalf("err = %v, want invalid %s", err, field)
			}
		})
	}
	t.Run("ErrTooLarge", func(t *testing.T) {
		d := draft("X")
		d.Attachments = []bip.NewAttachment{{Name: "duzy.pdf", Data: make([]byte, bip.MaxAttachmentSize+1)}}
		if _, err := s.Create(ctx, d); ratusz.ErrorCode(err) != ratusz.ETOOLARGE {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		councillor := ratusz.NewContextWithActor(context.Background(), ratusz.Actor{UserID: 5, Roles: []ratusz.Role{ratusz.RoleCouncillor}})
		if _, err := s.Create(councillor, draft("X")); ratusz.ErrorCode(err) != ratusz.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
		if _, err := s.Create(context.Background(), draft("X")); ratusz.ErrorCode(err) != ratusz.EUNAUTHORIZED {
			t.Fatalf("err = %v", err)
		}
	})
	var n int
	pool.QueryRow(ctx, "SELECT count(*) FROM bip_publications").Scan(&n)
	if n != 0 {
		t.Fatalf("refused publications stored: %d", n)
	}
}

// A module's publication commits with the module's own change, or neither.
func TestPublishInCallersTransaction(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	ctx := secretary(t, pool)
	boom := errors.New("the vote could not be closed")
	err := pg.InTx(ctx, pool, func(tx pgx.Tx) error {
		d := draft("Imienny wykaz głosowań")
		d.Source = "council.vote:1"
		if _, err := bip.Publish(ctx, tx, d); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var n int
	pool.QueryRow(ctx, "SELECT count(*) FROM bip_publications").Scan(&n)
	if n != 0 {
		t.Fatal("publication survived its transaction's rollback")
	}
	publish := func() error {
		return pg.InTx(ctx, pool, func(tx pgx.Tx) error {
			d := draft("Imienny wykaz głosowań")
			d.Source = "council.vote:1"
			_, err := bip.Publish(ctx, tx, d)
			return err
		})
	}
	if err := publish(); err != nil {
		t.Fatal(err)
	}
	if err := publish(); ratusz.ErrorCode(err) != ratusz.ECONFLICT {
		t.Fatalf("published the same source twice: %v", err)
	}
}

// Tampering with a stored row by plain SQL is caught by Verify, which names
// the first broken entry.
func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := bip.NewService(pool)
	defer s.Close()
	ctx := secretary(t, pool)
	var ids []int64
	for _, title := range []string{"Pierwsza", "Druga", "Trzecia"} {
		p, err := s.Create(ctx, draft(title))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if _, err := s.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	// Updates are refused outright …
	if _, err := pool.Exec(ctx, "UPDATE bip_versions SET title = 'Zmieniona' WHERE publication_id = $1", ids[1]); err == nil {
		t.Fatal("an UPDATE of a version was allowed")
	}
	// … so a tamperer must switch the guard off first; Verify still sees it.
	tamper := []string{
		"ALTER TABLE bip_versions DISABLE TRIGGER bip_versions_immutable",
		"UPDATE bip_versions SET body = 'Rada postanawia inaczej.' WHERE publication_id = " + strconv.FormatInt(ids[1], 10),
		"ALTER TABLE bip_versions ENABLE TRIGGER bip_versions_immutable",
	}
	for _, q := range tamper {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.Verify(ctx)
	var ve *bip.VerifyError
	if !errors.As(err, &ve) || ve.Seq != 2 || ve.PublicationID != ids[1] {
		t.Fatalf("verify after tampering: %v", err)
	}
}

// Concurrent publishers each get their own log entry, in one unbroken chain.
func TestConcurrentPublishing(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := bip.NewService(pool)
	defer s.Close()
	ctx := secretary(t, pool)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Create(ctx, draft("Ogłoszenie"))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	head, err := s.Verify(ctx)
	if err != nil || head.Seq != 20 {
		t.Fatalf("head %+v err %v", head, err)
	}
}

func TestMarkdownSanitized(t *testing.T) {
	for _, src := range []string{
		"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
		"<a href=\"data:text/html,<script>alert(1)</script>\">x</a>", "<svg onload=alert(1)>", "<p style=\"background:url(javascript:alert(1))\">x</p>",
		"<iframe src=\"https://evil.example\"></iframe>", "<math><mtext><script>alert(1)</script></mtext></math>",
	} {
		out := bip.RenderMarkdown(src)
		low := strings.ToLower(out)
		for _, bad := range []string{"<script", "onerror", "onload", "javascript:", "data:text", "<iframe", "style=", "<svg", "<math"} {
			if strings.Contains(low, bad) {
				t.Errorf("%q rendered as %q (holds %s)", src, out, bad)
			}
		}
	}
}

func TestDiff(t *testing.T) {
	ops := bip.Diff("Rada przyjmuje budżet gminy", "Rada odrzuca budżet gminy na 2027")
	var got []string
	for _, op := range ops {
		got = append(got, op.Kind+":"+op.Text)
	}
	want := "same:Rada |del:przyjmuje|ins:odrzuca|same: budżet gminy|ins: na 2027"
	if strings.Join(got, "|") != want {
		t.Fatalf("diff = %s", strings.Join(got, "|"))
	}
	if ops := bip.Diff("", "nowe"); len(ops) != 1 || ops[0].Kind != "ins" {
		t.Fatalf("diff from empty: %v", ops)
	}
}

// Category counts follow publications in and out of categories.
func TestCategoryCounts(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := bip.NewService(pool)
	defer s.Close()
	ctx := secretary(t, pool)
	a, _ := s.Create(ctx, draft("A"))
	s.Create(ctx, draft("B"))
	d := draft("A")
	d.Category = "ogloszenia"
	if _, err := s.Update(ctx, a.ID, d, "przeniesiona"); err != nil {
		t.Fatal(err)
	}
	uchwaly, _ := s.CategoryBySlug(ctx, "uchwaly")
	ogloszenia, _ := s.CategoryBySlug(ctx, "ogloszenia")
	for cat, want := range map[int64]int{uchwaly.ID: 1, ogloszenia.ID: 1, 0: 2} {
		list, total, err := s.Find(ctx, bip.Filter{CategoryID: cat})
		if err != nil || total != want || len(list) != want {
			t.Fatalf("category %d: total %d, %d listed, want %d (%v)", cat, total, len(list), want, err)
		}
	}
}

// Numbers of resolutions and papers stay as typed: searchable, copyable.
func TestMarkdownKeepsNumbers(t *testing.T) {
	out := bip.RenderMarkdown("Uchwała nr XII/145/2024 (druk DS-89/24, DS-90/26)")
	for _, want := range []string{"XII/145/2024", "DS-89/24", "DS-90/26"} {
		if !strings.Contains(out, want) {
			t.Errorf("%q lost in %s", want, out)
		}
	}
}

// Text a module publishes from what people typed cannot add links, images
// or table cells and rows.
func TestPlainTextInMarkdown(t *testing.T) {
	title := "Park \\| 1 000 zł \\| **tak** | [kliknij](https://zlo.example) ![x](https://zlo.example/x.png)\rdrugi wiersz <b>"
	out := bip.RenderMarkdown("| projekt | wybrany |\n|---|---|\n| " + bip.PlainText(title) + " | nie |\n")
	if strings.Count(out, "<td>") != 2 || strings.Count(out, "<tr>") != 2 || strings.Contains(out, "<a ") || strings.Contains(out, "<img") || strings.Contains(out, "<strong>") || strings.Contains(out, "<b>") {
		t.Fatalf("typed text became markup: %s", out)
	}
	if !strings.Contains(out, "[kliknij](https://zlo.example)") {
		t.Fatalf("the text is not shown as typed: %s", out)
	}
}

// Three tamperings that Verify missed: an attachment's bytes changed with
// its stored hash kept (the site then served the forged file under the
// original hash); the publication row's title, which listings and the
// feed show; and a log cut at its tail, which verified as a shorter log
// unless someone kept a head recorded earlier.
func TestVerifyDetectsMoreTampering(t *testing.T) {
	t.Parallel()
	exec := func(t *testing.T, pool *pgxpool.Pool, qs ...string) {
		t.Helper()
		for _, q := range qs {
			if _, err := pool.Exec(context.Background(), q); err != nil {
				t.Fatal(err)
			}
		}
	}
	setup := func(t *testing.T) (*pgxpool.Pool, *bip.Service, []*bip.Publication, bip.Head) {
		pool := testdb.New(t)
		s := bip.NewService(pool)
		t.Cleanup(s.Close)
		ctx := secretary(t, pool)
		var pubs []*bip.Publication
		for i, title := range []string{"Pierwsza", "Druga", "Trzecia"} {
			d := draft(title)
			if i == 1 {
				d.Attachments = []bip.NewAttachment{{Name: "uchwala.pdf", Data: []byte("%PDF-1.4 uchwała nr 1")}}
			}
			p, err := s.Create(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			pubs = append(pubs, p)
		}
		head, err := s.Verify(ctx)
		if err != nil || head.Seq != 3 {
			t.Fatalf("before tampering: %v %+v", err, head)
		}
		return pool, s, pubs, head
	}
	t.Run("ErrAttachmentBytes", func(t *testing.T) {
		pool, s, pubs, _ := setup(t)
		exec(t, pool, "ALTER TABLE bip_attachments DISABLE TRIGGER bip_attachments_immutable",
			"UPDATE bip_attachments SET data = '%PDF-1.4 uchwała nr 2' WHERE publication_id = "+strconv.FormatInt(pubs[1].ID, 10),
			"ALTER TABLE bip_attachments ENABLE TRIGGER bip_attachments_immutable")
		_, err := s.Verify(context.Background())
		var ve *bip.VerifyError
		if !errors.As(err, &ve) || ve.PublicationID != pubs[1].ID || !strings.Contains(ve.Reason, "attachment") {
			t.Fatalf("verify: %v", err)
		}
	})
	t.Run("ErrListedTitle", func(t *testing.T) {
		pool, s, pubs, _ := setup(t)
		exec(t, pool, "UPDATE bip_publications SET title = 'Uchwała zmieniona po cichu' WHERE id = "+strconv.FormatInt(pubs[0].ID, 10))
		_, err := s.Verify(context.Background())
		var ve *bip.VerifyError
		if !errors.As(err, &ve) || ve.PublicationID != pubs[0].ID {
			t.Fatalf("verify: %v", err)
		}
	})
	t.Run("ErrCutTail", func(t *testing.T) {
		pool, s, pubs, head := setup(t)
		last := strconv.FormatInt(pubs[2].ID, 10)
		// One statement string, so one connection and transaction: every
		// trigger and foreign key off, as a superuser can.
		exec(t, pool, "BEGIN; SET LOCAL session_replication_role = replica; DELETE FROM bip_log WHERE seq = 3; "+
			"DELETE FROM bip_version_attachments WHERE publication_id = "+last+"; DELETE FROM bip_versions WHERE publication_id = "+last+"; "+
			"DELETE FROM bip_publications WHERE id = "+last+"; COMMIT")
		shorter, err := s.Verify(context.Background())
		if err != nil || shorter.Seq != 2 {
			t.Fatalf("a cut log verifies as a shorter one on its own: %v %+v", err, shorter)
		}
		_, err = s.Verify(context.Background(), head)
		var ve *bip.VerifyError
		if !errors.As(err, &ve) || ve.Seq != 3 || !strings.Contains(ve.Reason, "cut") {
			t.Fatalf("verify against the recorded head %s: %v", head, err)
		}
		// An earlier head still in the log passes; a forged one does not.
		entries, _ := s.Entries(context.Background(), 1, 10)
		if _, err := s.Verify(context.Background(), bip.Head{Seq: 1, Hash: entries[0].EntryHash}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Verify(context.Background(), bip.Head{Seq: 1, Hash: strings.Repeat("0", 64)}); !errors.As(err, &ve) || ve.Seq != 1 {
			t.Fatalf("a forged head: %v", err)
		}
	})
	if _, err := bip.ParseHead("12:abc"); err == nil {
		t.Fatal("a short hash was accepted as a head")
	}
	if h, err := bip.ParseHead(" 12:" + strings.Repeat("AB", 32)); err != nil || h.Seq != 12 || h.Hash != strings.Repeat("ab", 32) {
		t.Fatalf("head: %+v %v", h, err)
	}
}

// The head is published once a day (also when two instances try at once),
// it is itself the next entry of the log, and a kept head can be checked.
func TestDailyHeadPublication(t *testing.T) {
	t.Parallel()
	pool := testdb.New(t)
	s := bip.NewService(pool)
	defer s.Close()
	ctx := secretary(t, pool)
	if p, err := s.PublishHead(ctx, time.Now()); err != nil || p != nil {
		t.Fatalf("an empty log published a head: %v %v", p, err)
	}
	if _, err := s.Create(ctx, draft("Uchwała")); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 4, 9, 0, 0, 0, bip.Warsaw)
	got := make(chan *bip.Publication, 2)
	for range 2 {
		go func() {
			p, err := s.PublishHead(ctx, day)
			if err != nil {
				t.Error(err)
			}
			got <- p
		}()
	}
	a, b := <-got, <-got
	if (a == nil) == (b == nil) {
		t.Fatalf("two instances published %v and %v", a, b)
	}
	p := a
	if p == nil {
		p = b
	}
	if p.Title != "Stan rejestru zmian BIP z dnia 4 listopada 2026 r." || p.Category.Slug != bip.HeadsCategory || !strings.Contains(p.Body, "nr 1") {
		t.Fatalf("head publication %q in %s:\n%s", p.Title, p.Category.Slug, p.Body)
	}
	head, err := s.Verify(ctx)
	if err != nil || head.Seq != 2 {
		t.Fatalf("the head publication is the next entry: %+v %v", head, err)
	}
	entries, _ := s.Entries(ctx, 1, 1)
	if !strings.Contains(p.Body, "1:"+entries[0].EntryHash) {
		t.Fatal("the publication does not give the head as SEQ:HASH")
	}
	if ok, err := s.Check(ctx, bip.Head{Seq: 1, Hash: entries[0].EntryHash}); err != nil || !ok {
		t.Fatalf("check of a kept head: %v %v", ok, err)
	}
	if ok, _ := s.Check(ctx, bip.Head{Seq: 9, Hash: entries[0].EntryHash}); ok {
		t.Fatal("a head past the end was found")
	}
	if p, _ := s.PublishHead(ctx, day.Add(10*time.Hour)); p != nil {
		t.Fatal("published twice on one day")
	}
	if p, _ := s.PublishHead(ctx, day.Add(24*time.Hour)); p == nil {
		t.Fatal("the next day's head was not published")
	}
}
