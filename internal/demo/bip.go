package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/internal/account"
)

// seedBIP publishes a handful of believable bulletin entries as the council
// office, one of them revised and one withdrawn, so every page has content.
func seedBIP(ctx context.Context, pool *pgxpool.Pool) error {
	office, err := account.NewService(pool).FindUserByEmail(ctx, "biuro.rady@przykladowo.pl")
	if err != nil {
		return err
	}
	ctx = ratusz.NewContextWithActor(ctx, office.Actor())
	s := bip.NewService(pool)
	defer s.Close()
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	pubs := []bip.Draft{
		{Category: "uchwaly", Title: "Uchwała nr X/98/2026 w sprawie zmian w budżecie Gminy Przykładowo na rok 2026",
			Body:       "## § 1\n\nPo zmianach budżet Gminy Przykładowo na rok 2026 wynosi:\n\n| | kwota |\n|---|---:|\n| dochody | 84 512 300,00 zł |\n| wydatki | 89 104 750,00 zł |\n| deficyt | 4 592 450,00 zł |\n\n## § 2\n\nDeficyt zostanie pokryty przychodami z wolnych środków.\n\n## § 3\n\nWykonanie uchwały powierza się Wójtowi Gminy.\n\n## § 4\n\nUchwała wchodzi w życie z dniem podjęcia i podlega publikacji w Dzienniku Urzędowym Województwa.",
			ProducedBy: "Rada Gminy Przykładowo", Responsible: "Marek Zieliński, Przewodniczący Rady", ProducedAt: day(18)},
		{Category: "uchwaly", Title: "Uchwała nr X/99/2026 w sprawie programu współpracy z organizacjami pozarządowymi",
			Body:       "## § 1\n\nPrzyjmuje się *Program współpracy Gminy Przykładowo z organizacjami pozarządowymi na rok 2027*, stanowiący załącznik do uchwały.\n\n## § 2\n\nUchwała wchodzi w życie z dniem podjęcia.",
			ProducedBy: "Rada Gminy Przykładowo", Responsible: "Marek Zieliński, Przewodniczący Rady", ProducedAt: day(18),
			Attachments: []bip.NewAttachment{{Name: "program-wspolpracy-2027.txt", Data: []byte("Program współpracy Gminy Przykładowo z organizacjami pozarządowymi na rok 2027.\n\n1. Cele programu.\n2. Zasady współpracy.\n3. Zakres przedmiotowy.\n")}}},
		{Category: "sesje", Title: "Zawiadomienie o XIII sesji Rady Gminy Przykładowo w dniu 17 grudnia 2026 r.",
			Body:       "Na podstawie art. 20 ust. 1 ustawy o samorządzie gminnym zwołuję XIII sesję Rady Gminy Przykładowo na **17 grudnia 2026 r., godz. 10:00**, w sali sesyjnej Urzędu Gminy, ul. Rynek 1.\n\n### Proponowany porządek obrad\n\n1. Otwarcie sesji i stwierdzenie kworum.\n2. Przyjęcie porządku obrad.\n3. Interpelacje i zapytania radnych.\n4. Podjęcie uchwały w sprawie wieloletniej prognozy finansowej.\n5. Zamknięcie sesji.\n\nObrady są transmitowane i utrwalane za pomocą urządzeń rejestrujących obraz i dźwięk.",
			ProducedBy: "Przewodniczący Rady Gminy", Responsible: "Marek Zieliński, Przewodniczący Rady", ProducedAt: day(20)},
		{Category: "ogloszenia", Title: "Ogłoszenie o konsultacjach projektu Strategii Rozwoju Gminy na lata 2027–2035",
			Body:       "Wójt Gminy Przykładowo zaprasza mieszkańców do udziału w konsultacjach społecznych projektu *Strategii Rozwoju Gminy Przykładowo na lata 2027–2035*.\n\n- Termin: od 1 do 31 grudnia 2026 r.\n- Formularz: w serwisie gminy, w zakładce Konsultacje.",
			ProducedBy: "Referat Rozwoju i Funduszy", Responsible: "Wójt Gminy Przykładowo", ProducedAt: day(21)},
		{Category: "zarzadzenia", Title: "Zarządzenie nr 0050.112.2026 Wójta Gminy w sprawie dnia wolnego od pracy",
			Body:       "## § 1\n\nUstala się dzień 24 grudnia 2026 r. dniem wolnym od pracy dla pracowników Urzędu Gminy.\n\n## § 2\n\nZarządzenie wchodzi w życie z dniem podpisania.",
			ProducedBy: "Wójt Gminy Przykładowo", Responsible: "Sekretarz Gminy", ProducedAt: day(22)},
		{Category: "nabory", Title: "Nabór na wolne stanowisko urzędnicze: inspektor ds. zamówień publicznych",
			Body:       "Wójt Gminy Przykładowo ogłasza nabór na stanowisko **inspektora ds. zamówień publicznych** (pełny etat).\n\nDokumenty należy składać do 15 grudnia 2026 r. w sekretariacie Urzędu Gminy.",
			ProducedBy: "Referat Organizacyjny", Responsible: "Sekretarz Gminy", ProducedAt: day(22)},
	}
	var ids []int64
	for _, d := range pubs {
		p, err := s.Create(ctx, d)
		if err != nil {
			return fmt.Errorf("demo BIP %q: %w", d.Title, err)
		}
		ids = append(ids, p.ID)
	}
	revised := pubs[2]
	revised.Body += "\n\nPosiedzenie zostanie poprzedzone wspólnym posiedzeniem komisji o godz. 9:00."
	if _, err := s.Update(ctx, ids[2], revised, "Dodano informację o wspólnym posiedzeniu komisji"); err != nil {
		return err
	}
	if _, err := s.Remove(ctx, ids[5], "Nabór unieważniony zarządzeniem nr 0050.115.2026"); err != nil {
		return err
	}
	return nil
}
