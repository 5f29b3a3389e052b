//! Deterministic generator of realistic review exports: the bundled sample data and benchmark inputs.
//!
//!   cargo run --release --example gen_sample -- sample sample-data
//!   cargo run --release --example gen_sample -- large 1000000 jsonl /tmp/reviews-1m.jsonl
//!   cargo run --release --example gen_sample -- large 1000000 jsonl /tmp/reviews-1m.jsonl varied
//!
//! `varied` adds one to three everyday sentences with numbers to each text, so that nearly every
//! review has its own text as in real exports (without it, texts repeat from a few templates and
//! analyze reads far fewer distinct texts than real data gives it).
//!
//! Sample mode writes three successive exports (each repeats and extends the one before, one review is
//! edited), with reviews in English, German, French, Italian and Spanish over 18 months, a product whose
//! lid starts to leak more and more, and one file exactly in the seed's five-field format with bare
//! `NaN` descriptions. The same seed always gives the same bytes.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// SplitMix64: tiny, and stable forever (a crate's generator may change its stream between versions).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const LANGS: [(&str, &str, u32); 5] = [
    ("en", "amazon.com", 50),
    ("de", "amazon.de", 15),
    ("fr", "amazon.fr", 12),
    ("it", "amazon.it", 12),
    ("es", "amazon.es", 11),
];

struct Category {
    name: &'static str,
    /// (English, German, French, Italian, Spanish) names of a part customers talk about.
    parts: &'static [[&'static str; 5]],
    /// Issue kinds typical for this category (indexes into ISSUES).
    issues: &'static [usize],
}

const CATEGORIES: [Category; 6] = [
    Category {
        name: "Insulated Water Bottle",
        parts: &[
            ["lid", "Deckel", "couvercle", "coperchio", "tapa"],
            ["seal", "Dichtung", "joint", "guarnizione", "junta"],
            ["straw", "Strohhalm", "paille", "cannuccia", "pajita"],
        ],
        issues: &[0, 2, 3, 6],
    },
    Category {
        name: "Ratchet Tie-Down Straps",
        parts: &[
            ["strap", "Gurt", "sangle", "cinghia", "correa"],
            ["ratchet", "Ratsche", "cliquet", "cricchetto", "carraca"],
            ["hook", "Haken", "crochet", "gancio", "gancho"],
        ],
        issues: &[1, 4, 5, 7],
    },
    Category {
        name: "Wireless Earbuds",
        parts: &[
            ["battery", "Akku", "batterie", "batteria", "batería"],
            [
                "charging case",
                "Ladeetui",
                "boîtier de charge",
                "custodia di ricarica",
                "estuche de carga",
            ],
            ["sound", "Klang", "son", "suono", "sonido"],
        ],
        issues: &[0, 8, 9, 7],
    },
    Category {
        name: "Yoga Mat",
        parts: &[
            [
                "surface",
                "Oberfläche",
                "surface",
                "superficie",
                "superficie",
            ],
            ["strap", "Tragegurt", "sangle", "cinghia", "correa"],
            ["edge", "Rand", "bord", "bordo", "borde"],
        ],
        issues: &[3, 1, 10, 5],
    },
    Category {
        name: "Kitchen Scale",
        parts: &[
            ["display", "Display", "écran", "display", "pantalla"],
            ["button", "Taste", "bouton", "pulsante", "botón"],
            ["battery", "Batterie", "pile", "batteria", "pila"],
        ],
        issues: &[0, 11, 8, 4],
    },
    Category {
        name: "Garden Hose",
        parts: &[
            ["connector", "Anschluss", "raccord", "raccordo", "conector"],
            ["nozzle", "Düse", "buse", "ugello", "boquilla"],
            ["hose", "Schlauch", "tuyau", "tubo", "manguera"],
        ],
        issues: &[2, 1, 6, 10],
    },
];

/// Complaint templates per issue kind, in en, de, fr, it, es; `{p}` is the part.
const ISSUES: [[&str; 5]; 12] = [
    [
        "Stopped working after two weeks, the {p} is dead.",
        "Nach zwei Wochen funktioniert es nicht mehr, {p} defekt.",
        "Ne fonctionne plus après deux semaines, {p} défectueux.",
        "Ha smesso di funzionare dopo due settimane, {p} difettoso.",
        "Dejó de funcionar a las dos semanas, {p} defectuoso.",
    ],
    [
        "The {p} broke after a few uses.",
        "Der {p} ist nach wenigen Benutzungen gebrochen.",
        "Le {p} s'est cassé après quelques utilisations.",
        "Il {p} si è rotto dopo pochi utilizzi.",
        "El {p} se rompió después de pocos usos.",
    ],
    [
        "The {p} leaks, water everywhere in my bag.",
        "Der {p} ist undicht, alles nass in der Tasche.",
        "Le {p} fuit, de l'eau partout dans mon sac.",
        "Il {p} perde acqua, tutto bagnato nella borsa.",
        "La {p} gotea, agua por todas partes en mi bolso.",
    ],
    [
        "Strong chemical smell that does not go away.",
        "Starker chemischer Geruch, der nicht weggeht.",
        "Forte odeur chimique qui ne part pas.",
        "Forte odore chimico che non va via.",
        "Fuerte olor químico que no se va.",
    ],
    [
        "The {p} feels cheap and flimsy.",
        "Der {p} wirkt billig und instabil.",
        "Le {p} fait bon marché et fragile.",
        "Il {p} sembra economico e fragile.",
        "El {p} parece barato y endeble.",
    ],
    [
        "Parts were missing from the box, no {p} included.",
        "Teile fehlten, kein {p} dabei.",
        "Il manquait des pièces, pas de {p} dans la boîte.",
        "Mancavano dei pezzi, nessun {p} nella scatola.",
        "Faltaban piezas, no venía el {p}.",
    ],
    [
        "Hard to clean, the {p} is a pain.",
        "Schwer zu reinigen, der {p} nervt.",
        "Difficile à nettoyer, le {p} est pénible.",
        "Difficile da pulire, il {p} è scomodo.",
        "Difícil de limpiar, el {p} es incómodo.",
    ],
    [
        "Arrived damaged, the {p} was scratched.",
        "Beschädigt angekommen, {p} zerkratzt.",
        "Arrivé endommagé, le {p} était rayé.",
        "Arrivato danneggiato, il {p} era graffiato.",
        "Llegó dañado, el {p} estaba rayado.",
    ],
    [
        "Battery life is terrible, barely two hours.",
        "Die Akkulaufzeit ist schlecht, kaum zwei Stunden.",
        "L'autonomie de la batterie est nulle, à peine deux heures.",
        "La durata della batteria è pessima, appena due ore.",
        "La batería dura muy poco, apenas dos horas.",
    ],
    [
        "Does not connect to my phone.",
        "Verbindet sich nicht mit meinem Handy.",
        "Ne se connecte pas à mon téléphone.",
        "Non si collega al mio telefono.",
        "No se conecta con mi móvil.",
    ],
    [
        "Much smaller than described.",
        "Viel kleiner als beschrieben.",
        "Beaucoup plus petit que décrit.",
        "Molto più piccolo di come descritto.",
        "Mucho más pequeño de lo descrito.",
    ],
    [
        "The instructions are useless.",
        "Die Anleitung ist unbrauchbar.",
        "Le mode d'emploi est inutile.",
        "Le istruzioni sono inutili.",
        "Las instrucciones no sirven.",
    ],
];

const POSITIVE: [&[&str]; 5] = [
    &[
        "Great product, works perfectly.",
        "Love it, the {p} is excellent.",
        "Exactly what I needed, highly recommend.",
        "Very good quality for the price.",
        "Super happy with this purchase!",
        "Works great 👍",
    ],
    &[
        "Super Produkt, funktioniert einwandfrei.",
        "Sehr gute Qualität, der {p} ist top.",
        "Genau das, was ich gesucht habe. Klare Empfehlung!",
        "Preis-Leistung stimmt, sehr zufrieden.",
        "Alles bestens, gerne wieder.",
    ],
    &[
        "Très bon produit, fonctionne parfaitement.",
        "Je recommande, le {p} est excellent.",
        "Exactement ce qu'il me fallait.",
        "Très bonne qualité pour le prix.",
        "Parfait, très satisfait de mon achat.",
    ],
    &[
        "Ottimo prodotto, funziona perfettamente.",
        "Consigliato, il {p} è eccellente.",
        "Esattamente quello che cercavo.",
        "Ottima qualità per il prezzo.",
        "Molto soddisfatto dell'acquisto.",
    ],
    &[
        "Muy buen producto, funciona perfectamente.",
        "Lo recomiendo, el {p} es excelente.",
        "Justo lo que necesitaba.",
        "Muy buena calidad por el precio.",
        "Encantado con la compra.",
    ],
];

const NEUTRAL: [&[&str]; 5] = [
    &[
        "It's okay, does the job.",
        "Average product, nothing special.",
        "Ok",
    ],
    &[
        "Ganz okay, erfüllt seinen Zweck.",
        "Durchschnittlich, nichts Besonderes.",
    ],
    &[
        "Correct, fait le travail.",
        "Produit moyen, rien de spécial.",
    ],
    &[
        "Nella media, fa il suo lavoro.",
        "Prodotto discreto, niente di speciale.",
    ],
    &[
        "Está bien, cumple su función.",
        "Producto normal, nada especial.",
    ],
];

const NEGATIVE_TITLES: [&[&str]; 5] = [
    &[
        "Disappointed",
        "Do not buy",
        "Poor quality",
        "Waste of money",
    ],
    &[
        "Enttäuscht",
        "Nicht kaufen",
        "Schlechte Qualität",
        "Geldverschwendung",
    ],
    &["Déçu", "À éviter", "Mauvaise qualité", "Argent gaspillé"],
    &["Deluso", "Da evitare", "Pessima qualità", "Soldi buttati"],
    &[
        "Decepcionado",
        "No lo compréis",
        "Mala calidad",
        "Dinero tirado",
    ],
];
const POSITIVE_TITLES: [&[&str]; 5] = [
    &["Five stars", "Great", "Recommended", "Excellent"],
    &["Top", "Sehr gut", "Empfehlenswert"],
    &["Parfait", "Excellent", "Très bien"],
    &["Ottimo", "Perfetto", "Consigliato"],
    &["Genial", "Perfecto", "Recomendado"],
];

/// Everyday sentences `varied` appends, in en, de, fr, it, es; `{n}` is a number.
const DETAILS: [&[&str]; 5] = [
    &[
        "I have used it for {n} days now.",
        "Bought it as a gift for my brother, order number {n}.",
        "We are a family of {n} and use it daily.",
        "Delivery took {n} hours.",
        "Compared it with {n} other models before buying.",
    ],
    &[
        "Ich benutze es seit {n} Tagen.",
        "Als Geschenk für meinen Bruder gekauft, Bestellung {n}.",
        "Wir sind eine Familie mit {n} Personen und nutzen es täglich.",
        "Die Lieferung hat {n} Stunden gedauert.",
        "Vor dem Kauf mit {n} anderen Modellen verglichen.",
    ],
    &[
        "Je l'utilise depuis {n} jours.",
        "Acheté en cadeau pour mon frère, commande {n}.",
        "Nous sommes une famille de {n} et l'utilisons tous les jours.",
        "La livraison a pris {n} heures.",
        "Comparé avec {n} autres modèles avant l'achat.",
    ],
    &[
        "Lo uso da {n} giorni.",
        "Comprato come regalo per mio fratello, ordine {n}.",
        "Siamo una famiglia di {n} e lo usiamo ogni giorno.",
        "La consegna ha richiesto {n} ore.",
        "Confrontato con {n} altri modelli prima di comprarlo.",
    ],
    &[
        "Lo uso desde hace {n} días.",
        "Comprado como regalo para mi hermano, pedido {n}.",
        "Somos una familia de {n} y lo usamos a diario.",
        "La entrega tardó {n} horas.",
        "Lo comparé con {n} otros modelos antes de comprarlo.",
    ],
];

const BRANDS: [&str; 6] = [
    "Rhino USA",
    "Kurtzy",
    "Luigi's",
    "H&S",
    "Yael Beauté",
    "· GARDEN REPUBLIC ·",
];

struct Product {
    asin: String,
    brand: &'static str,
    title: String,
    cat: usize,
    /// Share of all reviews, before the long tail.
    weight: u32,
    /// The product with the recurring defect that grows over time.
    failing: bool,
}

fn products(rng: &mut Rng, n: usize) -> Vec<Product> {
    (0..n)
        .map(|i| {
            let cat = i % CATEGORIES.len();
            let asin = if i % 17 == 16 {
                format!("{:010}", 300_000_000 + rng.below(600_000_000)) // a book-style numeric ASIN
            } else {
                format!("B0{:08X}", rng.next() as u32)
            };
            Product {
                asin,
                brand: BRANDS[(i / 2 + i % 3) % BRANDS.len()],
                title: format!(
                    "{} {}",
                    CATEGORIES[cat].name,
                    ["Pro", "Lite", "Max", "Classic", "Plus", "Mini"][i % 6]
                ),
                cat,
                // Long-tailed: a few products get most reviews.
                weight: (400 / (i as u32 + 1)).max(2),
                failing: i == 0,
            }
        })
        .collect()
}

struct Review {
    id: String,
    asin: String,
    brand: &'static str,
    rating: u8,
    title: String,
    body: String,
    date: String,
    marketplace: &'static str,
    product_title: String,
    month: u32,
}

fn fill(t: &str, part: &str) -> String {
    t.replace("{p}", part)
}

fn one_review(rng: &mut Rng, p: &Product, month: u32, months: u32, id: u64) -> Review {
    let lang = {
        let mut x = rng.below(100) as u32;
        let mut li = 0;
        for (i, l) in LANGS.iter().enumerate() {
            if x < l.2 {
                li = i;
                break;
            }
            x -= l.2;
        }
        li
    };
    let cat = &CATEGORIES[p.cat];
    let part = rng.pick(cat.parts)[lang];
    // The failing product's leak complaints grow from 5% to about 45% of its reviews.
    let defect_p = if p.failing {
        0.05 + 0.40 * month as f64 / months.max(1) as f64
    } else {
        0.10
    };
    let (rating, title, body) = if rng.chance(defect_p) {
        let issue = if p.failing { 2 } else { *rng.pick(cat.issues) };
        let part = if p.failing { cat.parts[0][lang] } else { part };
        let mut body = fill(ISSUES[issue][lang], part);
        if rng.chance(0.3) {
            body.push(' ');
            body.push_str(&fill(ISSUES[*rng.pick(cat.issues)][lang], part));
        }
        let rating = [1, 1, 2, 2, 3][rng.below(5)];
        (rating, rng.pick(NEGATIVE_TITLES[lang]).to_string(), body)
    } else if rng.chance(0.12) {
        (3, String::new(), rng.pick(NEUTRAL[lang]).to_string())
    } else {
        let first: &str = rng.pick::<&str>(POSITIVE[lang]);
        let mut body = fill(first, part);
        if rng.chance(0.25) {
            body.push('\n');
            let more: &str = rng.pick::<&str>(POSITIVE[lang]);
            body.push_str(&fill(more, part));
        }
        (
            if rng.chance(0.7) { 5 } else { 4 },
            rng.pick(POSITIVE_TITLES[lang]).to_string(),
            body,
        )
    };
    let day = 1 + rng.below(28);
    let (y, m) = (2025 + (5 + month) / 12, (5 + month) % 12 + 1);
    Review {
        id: format!("R{id:08}"),
        asin: p.asin.clone(),
        brand: p.brand,
        rating,
        title,
        body,
        date: format!("{y}-{m:02}-{day:02}"),
        marketplace: LANGS[lang].1,
        product_title: p.title.clone(),
        month,
    }
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn record(r: &Review, full: bool) -> String {
    let mut s = format!(
        "{{\"PRODUCT_BRAND\": {}, \"CUSTOMER_REVIEW_RATING\": {}, \"CUSTOMER_REVIEW_TITLE\": {}, \"CUSTOMER_REVIEW_DESCRIPTION\": {}, \"CHILD_ASIN\": {}",
        json_str(r.brand), r.rating, json_str(&r.title), json_str(&r.body), json_str(&r.asin)
    );
    if full {
        s.push_str(&format!(
            ", \"REVIEW_ID\": {}, \"REVIEW_DATE\": {}, \"MARKETPLACE\": {}, \"PRODUCT_TITLE\": {}",
            json_str(&r.id),
            json_str(&r.date),
            json_str(r.marketplace),
            json_str(&r.product_title)
        ));
    }
    s.push('}');
    s
}

fn write_json(path: &Path, rs: &[&Review]) -> std::io::Result<()> {
    let mut w = BufWriter::new(File::create(path)?);
    writeln!(w, "[")?;
    for (i, r) in rs.iter().enumerate() {
        writeln!(
            w,
            "  {}{}",
            record(r, true),
            if i + 1 < rs.len() { "," } else { "" }
        )?;
    }
    writeln!(w, "]")?;
    w.flush()
}

fn write_jsonl(w: &mut impl Write, rs: &[&Review]) -> std::io::Result<()> {
    for r in rs {
        writeln!(w, "{}", record(r, true))?;
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_csv(w: &mut impl Write, rs: &[&Review], header: bool) -> std::io::Result<()> {
    if header {
        writeln!(w, "REVIEW_ID,CHILD_ASIN,PRODUCT_BRAND,CUSTOMER_REVIEW_RATING,CUSTOMER_REVIEW_TITLE,CUSTOMER_REVIEW_DESCRIPTION,REVIEW_DATE,MARKETPLACE,PRODUCT_TITLE")?;
    }
    for r in rs {
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{}",
            r.id,
            r.asin,
            csv_field(r.brand),
            r.rating,
            csv_field(&r.title),
            csv_field(&r.body),
            r.date,
            r.marketplace,
            csv_field(&r.product_title)
        )?;
    }
    Ok(())
}

fn generate(rng: &mut Rng, ps: &[Product], n: usize, months: u32) -> Vec<Review> {
    let total: u32 = ps.iter().map(|p| p.weight).sum();
    let mut out: Vec<Review> = (0..n)
        .map(|i| {
            let mut x = rng.below(total as usize) as u32;
            let p = ps.iter().find(|p| {
                if x < p.weight {
                    true
                } else {
                    x -= p.weight;
                    false
                }
            });
            let p = p.unwrap_or(&ps[0]);
            let month = rng.below(months as usize) as u32;
            one_review(rng, p, month, months, i as u64 + 1)
        })
        .collect();
    out.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
    out
}

fn sample(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng(20261126);
    let ps = products(&mut rng, 36);
    let mut all = generate(&mut rng, &ps, 3000, 18);
    // Export 1: months 0-8 (JSON array). Export 2: months 0-13, one review edited (JSON Lines).
    // Export 3: everything (CSV). Each repeats what came before, as real re-deliveries do.
    let e1: Vec<&Review> = all.iter().filter(|r| r.month <= 8).collect();
    write_json(&dir.join("export-1-2025-h1.json"), &e1)?;
    if let Some(r) = all.iter_mut().find(|r| r.month <= 8 && r.rating == 5) {
        r.rating = 2;
        r.body
            .push_str(" Update: after a month the lid no longer closes properly.");
    }
    let e2: Vec<&Review> = all.iter().filter(|r| r.month <= 13).collect();
    write_jsonl(
        &mut BufWriter::new(File::create(dir.join("export-2-2026-q1.jsonl"))?),
        &e2,
    )?;
    let e3: Vec<&Review> = all.iter().collect();
    write_csv(
        &mut BufWriter::new(File::create(dir.join("export-3-2026-q3.csv"))?),
        &e3,
        true,
    )?;
    // The seed's own format: five fields, no id or date, a few bare NaN descriptions.
    let mut w = BufWriter::new(File::create(dir.join("seed-format.json"))?);
    let extra = generate(&mut rng, &ps, 120, 18);
    writeln!(w, "[")?;
    for (i, r) in extra.iter().enumerate() {
        let rec = if i % 29 == 3 {
            format!(
                "{{\"PRODUCT_BRAND\": {}, \"CUSTOMER_REVIEW_RATING\": {}, \"CUSTOMER_REVIEW_TITLE\": {}, \"CUSTOMER_REVIEW_DESCRIPTION\": NaN, \"CHILD_ASIN\": {}}}",
                json_str(r.brand), r.rating, json_str(&r.title), json_str(&r.asin)
            )
        } else {
            record(r, false)
        };
        writeln!(w, "  {rec}{}", if i + 1 < extra.len() { "," } else { "" })?;
    }
    writeln!(w, "]")?;
    w.flush()
}

/// Appends one to three of the language's everyday sentences (by marketplace) with numbers.
fn vary(rng: &mut Rng, r: &mut Review) {
    let lang = LANGS.iter().position(|l| l.1 == r.marketplace).unwrap_or(0);
    for _ in 0..1 + rng.below(3) {
        let s: &str = rng.pick::<&str>(DETAILS[lang]);
        r.body.push(' ');
        r.body
            .push_str(&s.replace("{n}", &(1 + rng.below(5000)).to_string()));
    }
}

fn large(n: usize, format: &str, out: &Path, varied: bool) -> std::io::Result<()> {
    let mut rng = Rng(42);
    let ps = products(&mut rng, (n / 10).max(10));
    let total = n;
    let mut w = BufWriter::with_capacity(1 << 20, File::create(out)?);
    if format == "json" {
        writeln!(w, "[")?;
    }
    // Generated in chunks so memory stays small however many reviews are asked for.
    let chunk = 100_000;
    let mut done = 0;
    while done < total {
        let k = chunk.min(total - done);
        let mut rs: Vec<Review> = (0..k)
            .map(|i| {
                let p = &ps[rng.below(ps.len())];
                let month = rng.below(18) as u32;
                let mut r = one_review(&mut rng, p, month, 18, (done + i) as u64 + 1);
                if varied {
                    vary(&mut rng, &mut r);
                }
                r
            })
            .collect();
        rs.sort_by(|a, b| a.id.cmp(&b.id));
        let refs: Vec<&Review> = rs.iter().collect();
        match format {
            "csv" => write_csv(&mut w, &refs, done == 0)?,
            "jsonl" => write_jsonl(&mut w, &refs)?,
            _ => {
                for (i, r) in refs.iter().enumerate() {
                    let last = done + i + 1 == total;
                    writeln!(w, "{}{}", record(r, true), if last { "" } else { "," })?;
                }
            }
        }
        done += k;
    }
    if format == "json" {
        writeln!(w, "]")?;
    }
    w.flush()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["sample", dir] => sample(Path::new(dir)),
        ["large", n, format @ ("json" | "jsonl" | "csv"), out, rest @ ..]
            if matches!(rest, [] | ["varied"]) =>
        {
            match n.parse() {
                Ok(n) => large(n, format, Path::new(out), !rest.is_empty()),
                Err(_) => Err(std::io::Error::other("N must be a number")),
            }
        }
        _ => {
            eprintln!(
                "usage: gen_sample sample DIR | gen_sample large N json|jsonl|csv OUT [varied]"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
