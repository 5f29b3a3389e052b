//! Complaint and liked aspects: the parts or features that negative sentences criticise and
//! positive ones praise, as English terms.
//!
//! English text: runs of content words (not stop words, not sentiment words, not common verbs) of one
//! or two tokens, singularised. Other languages: a dictionary of common product parts mapped to
//! English, so "Deckel", "couvercle" and "tapa" all count as "lid". Makers' and models' names
//! (`names`) are never aspects.

use super::lexicon::Lexicons;
use crate::names::Names;

/// Heads of compounds that name a property of the first word, not a thing: "sound quality" and
/// "battery life" count whole, never as "quality" or "life".
const PROPERTY_HEADS: &[&str] = &[
    "quality", "life", "set", "level", "rate", "time", "range", "mode",
];

/// Words after which a lone word is a predicate ("is busy", "too digital"), not an aspect.
const PREDICATE: &[&str] = &[
    "is",
    "was",
    "are",
    "were",
    "be",
    "been",
    "being",
    "very",
    "so",
    "too",
    "quite",
    "pretty",
    "really",
    "extremely",
    "fairly",
    "rather",
    "seems",
    "looks",
    "feels",
    "sounds",
    "became",
    "becomes",
    "get",
    "gets",
    "got",
    "stays",
    "remains",
];

/// Words before which a lone "-ing" word is a noun ("the packaging", "no warning"); elsewhere it is
/// a verb ("keeps asking", "stopped working").
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "my", "your", "his", "her", "its", "our", "their", "this", "that", "these",
    "those", "no", "any", "some", "every", "each",
];

/// Subjects after which a lone word is what they do ("i wish", "they understand"), not a thing.
const SUBJECTS: &[&str] = &["i", "you", "we", "they", "he", "she"];

/// Auxiliaries and modals after which a lone word is a verb ("it doesn't understand", "can't
/// connect", "will play"), not a thing.
const AUXILIARIES: &[&str] = &[
    "can",
    "can't",
    "cannot",
    "could",
    "couldn't",
    "will",
    "won't",
    "would",
    "wouldn't",
    "should",
    "shouldn't",
    "must",
    "might",
    "do",
    "does",
    "did",
    "don't",
    "doesn't",
    "didn't",
];

/// Object pronouns: a lone word right before one is a verb ("use it", "ask her", "set them up").
const OBJECTS: &[&str] = &["it", "them", "her", "him", "me", "us"];

/// Whether a sentence criticises or praises what it names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Polarity {
    Complaint,
    Praise,
}

/// Stop words that praise makes aspects: "great price", "easy to use", "looks great". In a
/// complaint they are mostly verbs or what every complaint mentions ("waste of money at this price").
const PRAISED_ONLY: &[&str] = &["price", "use", "look", "looks"];

/// Adjectives that praise an aspect without naming it ("so compact", "very quiet").
const IMPLIED_PRAISE: &[(&str, &[&str])] = &[
    ("size", &["compact", "small", "smaller", "tiny", "portable"]),
    ("weight", &["lightweight"]),
    ("speed", &["fast", "faster", "quick"]),
    ("noise", &["quiet", "silent"]),
    ("price", &["inexpensive", "affordable", "cheap", "cheaper"]),
];

const STOP: &str = "a an the and or but if then than so as at by for from in into of off on onto out over to up with \
about above after again against all am any are aren't be been before being below between both can cannot can't could \
couldn't did didn't do does doesn't doing don't down during each few further had hadn't has hasn't have \
haven't having he her here hers herself him himself his how i i'm i've i'd i'll is isn't it it's its itself \
let's may me might more most must mustn't my myself no nor not once only other ought our ours ourselves own same shall she \
should shouldn't some such that that's their theirs them themselves there there's these they they're \
this those through too under until very was wasn't we we're we've were weren't what when where which while \
who whom why will won't would wouldn't you you're your yours yourself also just even still really maybe \
quite much many lot lots bit way one ones two three four five first second another every anything something \
nothing everything anyone someone thing things stuff item items product products unit units amazon time \
times day days week weeks month months year years hour hours minute minutes money dollar dollars price \
purchase order review reviews star stars problem problems issue issues people person guy guys reason \
use used using uses work works worked working get gets got getting make makes made making buy bought \
buying need needs needed want wanted try tried trying say said go goes went gone going come came coming \
take took taken give gave look looks looked seem seems seemed know knew think thought find found feel feels felt \
felt put keep kept turn turned start started stop stopped tell told call called return returned \
see saw seen like liked back now ever never always sometimes already yet again almost around enough \
however though although because since unless whether either neither instead rather else etc ok okay \
yes yeah well far high low sure actually probably definitely totally simply especially pretty kind sort \
leak leaks leaking broke broken break breaks crack cracks snapped tore torn ripped fell fall falls died dies \
dead stuck loose missing wrong smell smells stinks squeaks rattles arrived received came sent waste junk \
garbage cheap flimsy disappointed disappointing terrible horrible awful poor bad \
song songs music computer company family friend friends wife husband kid kids son daughter gift \
christmas birthday store leave leaves left desired last lasts lasted long longer looking \
old new little whole buck bucks takes gives makes gets ago model models \
big bigger large larger huge less fact away everywhere anywhere somewhere together later inside \
without within along among amongst throughout across toward towards upon beside besides behind beyond via \
per despite except unlike underneath beneath able unable";

/// Nouns that name what a product is judged on, which sentiment lexicons also rate ("quality",
/// "support", "comfort"): aspects all the same.
const RATED_ASPECTS: &[&str] = &[
    "quality",
    "support",
    "service",
    "value",
    "comfort",
    "reliability",
    "durability",
    "performance",
    "warranty",
    "protection",
    "security",
    "safety",
    "design",
    "style",
    "accuracy",
    "clarity",
    "stability",
    "strength",
    "care",
];

/// Adjectives that criticise an aspect without naming it ("too big", "so heavy"): the aspect they
/// imply, as reviewers would name it.
const IMPLIED: &[(&str, &[&str])] = &[
    (
        "size",
        &[
            "big", "bigger", "large", "larger", "huge", "bulky", "small", "smaller", "tiny",
        ],
    ),
    ("weight", &["heavy", "heavier", "weighs"]),
    ("speed", &["slow", "slower"]),
    ("noise", &["loud", "louder", "noisy"]),
    ("price", &["expensive", "pricey", "overpriced", "costly"]),
];

/// A word with a sentiment of its own ("great", "junk") judges an aspect rather than naming one.
/// A phrase list entry of 0 marks a word as not sentiment ("play", "support").
fn rated(lex: &Lexicons, t: &str) -> bool {
    // A lukewarm verdict ("average", "mediocre", "decent") judges the product; it names no part of it.
    if lex.lukewarm.word(t).is_some() {
        return true;
    }
    match lex.extra.word(t) {
        Some(v) => v != 0.0,
        None => lex.by_lang[0].word(t).is_some_and(|v| v != 0.0),
    }
}

/// (English term, forms in German, French, Italian, Spanish). Forms that are mostly other words
/// are left out: "son" (sound) is French "his", "vite" (screws) French "quickly", "hoja" (blade)
/// Spanish "sheet".
const PARTS: &[(&str, &[&str])] = &[
    // What a product is judged on, praised or criticised, as reviewers in each language name it.
    (
        "quality",
        &[
            "qualität",
            "qualitaet",
            "qualité",
            "qualite",
            "qualità",
            "qualita",
            "calidad",
        ],
    ),
    ("price", &["preis", "prix", "prezzo", "precio"]),
    ("design", &["design", "diseño", "disegno"]),
    ("fit", &["passform", "vestibilità"]),
    ("taste", &["geschmack", "goût", "sapore", "sabor"]),
    ("smell", &["geruch", "odeur", "odore", "olor"]),
    ("weight", &["gewicht", "poids", "peso"]),
    (
        "delivery",
        &["lieferung", "livraison", "consegna", "entrega"],
    ),
    (
        "build quality",
        &["verarbeitung", "finition", "finitura", "acabado"],
    ),
    (
        "lid",
        &["deckel", "couvercle", "coperchio", "tapa", "tapón"],
    ),
    ("seal", &["dichtung", "joint", "guarnizione", "junta"]),
    (
        "zipper",
        &[
            "reißverschluss",
            "reissverschluss",
            "fermeture",
            "cerniera",
            "zip",
            "cremallera",
        ],
    ),
    (
        "strap",
        &[
            "gurt",
            "riemen",
            "band",
            "armband",
            "sangle",
            "bracelet",
            "cinghia",
            "cinturino",
            "tracolla",
            "correa",
        ],
    ),
    ("buckle", &["schnalle", "boucle", "fibbia", "hebilla"]),
    (
        "handle",
        &[
            "griff", "henkel", "poignée", "manico", "maniglia", "asa", "mango",
        ],
    ),
    (
        "button",
        &["knopf", "taste", "bouton", "pulsante", "tasto", "botón"],
    ),
    (
        "battery",
        &[
            "akku",
            "batterie",
            "batterien",
            "pile",
            "piles",
            "batteria",
            "batterie",
            "batería",
            "pila",
            "pilas",
        ],
    ),
    (
        "charger",
        &["ladegerät", "chargeur", "caricatore", "cargador"],
    ),
    ("cable", &["kabel", "câble", "cavo", "cable"]),
    (
        "screen",
        &["bildschirm", "display", "écran", "schermo", "pantalla"],
    ),
    (
        "screen protector",
        &[
            "schutzfolie",
            "panzerglas",
            "protection d'écran",
            "pellicola",
            "protector",
        ],
    ),
    (
        "case",
        &[
            "hülle", "etui", "coque", "étui", "custodia", "cover", "funda", "carcasa",
        ],
    ),
    (
        "sound",
        &["klang", "ton", "sound", "suono", "audio", "sonido"],
    ),
    ("color", &["farbe", "couleur", "colore", "color"]),
    (
        "size",
        &[
            "größe",
            "taille",
            "taglia",
            "talla",
            "tamaño",
            "dimensione",
            "dimensioni",
        ],
    ),
    (
        "material",
        &[
            "material",
            "stoff",
            "matériau",
            "matière",
            "tissu",
            "materiale",
            "tessuto",
            "tela",
        ],
    ),
    (
        "plastic",
        &["plastik", "kunststoff", "plastique", "plastica", "plástico"],
    ),
    (
        "glue",
        &[
            "kleber",
            "klebstoff",
            "colle",
            "colla",
            "pegamento",
            "adhesivo",
        ],
    ),
    ("magnet", &["magnet", "magnete", "aimant", "imán"]),
    ("wheel", &["rad", "räder", "roue", "ruota", "rueda"]),
    ("hook", &["haken", "crochet", "gancio", "gancho"]),
    ("hose", &["schlauch", "tuyau", "tubo", "manguera"]),
    ("nozzle", &["düse", "buse", "ugello", "boquilla"]),
    (
        "connector",
        &[
            "anschluss",
            "stecker",
            "raccord",
            "connecteur",
            "raccordo",
            "connettore",
            "conector",
        ],
    ),
    ("ratchet", &["ratsche", "cliquet", "cricchetto", "carraca"]),
    ("straw", &["strohhalm", "paille", "cannuccia", "pajita"]),
    ("display", &["anzeige"]),
    (
        "switch",
        &["schalter", "interrupteur", "interruttore", "interruptor"],
    ),
    ("speaker", &["lautsprecher", "altoparlante", "altavoz"]),
    (
        "microphone",
        &["mikrofon", "micro", "microphone", "microfono", "micrófono"],
    ),
    (
        "camera",
        &["kamera", "caméra", "fotocamera", "telecamera", "cámara"],
    ),
    ("keyboard", &["tastatur", "clavier", "tastiera", "teclado"]),
    ("mouse", &["maus", "souris", "ratón"]),
    ("housing", &["gehäuse", "boîtier", "scocca"]),
    ("mount", &["halterung", "fixation"]),
    ("stand", &["ständer"]),
    ("door", &["tür", "puerta"]),
    ("drawer", &["schublade", "tiroir", "cassetto", "cajón"]),
    ("seat", &["sitz", "siège", "sedile", "asiento"]),
    ("cushion", &["kissen", "coussin", "cuscino", "cojín"]),
    ("cover", &["housse", "fodera"]),
    ("brake", &["bremse", "frein", "freno"]),
    ("chain", &["kette", "catena"]),
    (
        "packaging",
        &[
            "verpackung",
            "emballage",
            "imballaggio",
            "confezione",
            "embalaje",
            "paquete",
        ],
    ),
    (
        "instructions",
        &[
            "anleitung",
            "bedienungsanleitung",
            "notice",
            "istruzioni",
            "instrucciones",
        ],
    ),
    (
        "remote",
        &["fernbedienung", "télécommande", "telecomando", "mando"],
    ),
    ("app", &["app", "application", "applicazione", "aplicación"]),
    ("light", &["licht", "lumière", "luce", "luz"]),
    ("fabric", &["gewebe"]),
    ("sole", &["sohle", "semelle", "suola", "suela"]),
    ("seam", &["naht", "couture", "cucitura", "costura"]),
    (
        "screw",
        &[
            "schraube",
            "schrauben",
            "vis",
            "viti",
            "tornillo",
            "tornillos",
        ],
    ),
    ("surface", &["oberfläche", "surface", "superficie"]),
    ("edge", &["rand", "kante", "bord", "bordo", "borde"]),
    ("motor", &["motor", "moteur", "motore"]),
    ("filter", &["filter", "filtre", "filtro"]),
    ("blade", &["klinge", "messer", "lame", "lama", "cuchilla"]),
    (
        "charging case",
        &[
            "ladeetui",
            "ladecase",
            "boîtier de charge",
            "custodia di ricarica",
            "estuche de carga",
        ],
    ),
];

pub struct Aspects {
    stop: std::collections::HashSet<&'static str>,
    parts: std::collections::HashMap<&'static str, &'static str>,
    implied: std::collections::HashMap<&'static str, &'static str>,
    implied_praise: std::collections::HashMap<&'static str, &'static str>,
    /// First words of the phrases in `PARTS` ("boîtier" of "boîtier de charge").
    phrase_starts: std::collections::HashSet<&'static str>,
    /// The last three letters of every form in `PARTS` (a German compound's quick check).
    part_ends: std::collections::HashSet<&'static str>,
    names: Names,
}

fn implied_map(
    table: &[(&'static str, &[&'static str])],
) -> std::collections::HashMap<&'static str, &'static str> {
    table
        .iter()
        .flat_map(|(aspect, words)| words.iter().map(move |w| (*w, *aspect)))
        .collect()
}

impl Aspects {
    pub fn new() -> Aspects {
        let mut parts = std::collections::HashMap::new();
        for (en, forms) in PARTS {
            for f in *forms {
                parts.insert(*f, *en);
            }
        }
        Aspects {
            stop: STOP.split_whitespace().collect(),
            parts,
            implied: implied_map(IMPLIED),
            implied_praise: implied_map(IMPLIED_PRAISE),
            phrase_starts: (PARTS.iter())
                .flat_map(|(_, forms)| forms.iter())
                .filter_map(|f| f.split_once(' ').map(|(first, _)| first))
                .collect(),
            part_ends: (PARTS.iter())
                .flat_map(|(_, forms)| forms.iter())
                .map(|f| f.char_indices().rev().nth(2).map_or(*f, |(b, _)| &f[b..]))
                .collect(),
            names: Names::new(),
        }
    }

    /// Aspect terms in one sentence that criticises or praises (`polarity`) what it names;
    /// `proper` are the names the review writes capitalised (`names::proper_names`).
    pub fn extract(
        &self,
        lex: &Lexicons,
        lang: Option<&str>,
        toks: &[String],
        polarity: Polarity,
        proper: &[String],
        out: &mut Vec<String>,
    ) {
        if let Some(l) = lang.filter(|l| *l != "en") {
            self.parts_in(l, toks, out);
            return;
        }
        let praise = polarity == Polarity::Praise;
        let implied = if praise {
            &self.implied_praise
        } else {
            &self.implied
        };
        let content = |t: &str| -> bool {
            t.len() >= 3
                && t.chars().all(|c| c.is_alphabetic())
                && (!self.is_stop(t) || (praise && PRAISED_ONLY.contains(&t)))
                && !t.ends_with("ly")
                && !t.ends_with("ed")
                && !t.ends_with("n't")
                && (RATED_ASPECTS.contains(&t) || !rated(lex, t))
                && !self.names.is_name(t)
                && !proper.iter().any(|p| p == t)
        };
        let mut i = 0;
        while i < toks.len() {
            if let Some(aspect) = implied.get(toks[i].as_str()) {
                push(out, aspect.to_string());
                i += 1;
                continue;
            }
            if !content(&toks[i]) {
                i += 1;
                continue;
            }
            let compound = i + 1 < toks.len() && content(&toks[i + 1]);
            let prev = i.checked_sub(1).map(|p| toks[p].as_str());
            if !compound && !self.names_a_thing(&toks[i], prev, toks.get(i + 1).map(String::as_str))
            {
                i += 1;
                continue;
            }
            // "It is busy", "very digital": a lone word after a copula or an intensifier says
            // what something is like, not what it is.
            if !compound && i > 0 && PREDICATE.contains(&toks[i - 1].as_str()) {
                i += 1;
                continue;
            }
            if compound {
                // The compound and its head (an English compound's last word names the thing):
                // complaints about "the dvd player" and "the player" then add up.
                let head = singular(&toks[i + 1]);
                push(out, format!("{} {head}", toks[i]));
                // "Customer service" and "tech support" are what they are; "service" alone is not.
                let helpdesk = matches!(head.as_str(), "service" | "support");
                if !helpdesk && !PROPERTY_HEADS.contains(&head.as_str()) {
                    push(out, head);
                }
                // A noun before the head names a part too: "headphone jack", "scroll wheel" and
                // "scroll button" are complaints about the headphone and the scroll.
                if !helpdesk && !adjective_like(&toks[i]) {
                    push(out, singular(&toks[i]));
                }
                i += 2;
            } else {
                push(out, singular(&toks[i]));
                i += 1;
            }
        }
    }
}

impl Aspects {
    /// Whether a lone word (no compound) after `prev` may name a thing: not a verb after a
    /// subject or an auxiliary ("i wish", "you hear", "doesn't understand") or before an object
    /// ("ask her"), nor an "-ing" form without a determiner ("keeps asking",
    /// "stopped working"; "the packaging", "no warning" are things).
    fn names_a_thing(&self, t: &str, prev: Option<&str>, next: Option<&str>) -> bool {
        let prev = prev.unwrap_or("");
        if SUBJECTS.contains(&prev) || AUXILIARIES.contains(&prev) {
            return false;
        }
        // A word with an object right after it is what one does to it ("use it", "ask her").
        if next.is_some_and(|n| OBJECTS.contains(&n)) {
            return false;
        }
        !(t.len() > 5 && t.ends_with("ing")) || DETERMINERS.contains(&prev)
    }

    /// A stop word, or the plural or third person of one: "comes" is "come", "uses" is "use",
    /// whichever form the list holds.
    fn is_stop(&self, t: &str) -> bool {
        self.stop.contains(t) || (t.ends_with('s') && self.stop.contains(singular(t).as_str()))
    }

    /// The parts a sentence in another language names, as English terms: words of `PARTS`,
    /// phrases of it ("boîtier de charge"), and German compounds by their last part
    /// ("Ladekabel": cable, "Schutzhülle": case), as German names a thing by its last word.
    fn parts_in(&self, lang: &str, toks: &[String], out: &mut Vec<String>) {
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i].as_str();
            if let Some((en, n)) = self.phrase_at(&toks[i..]) {
                push(out, en.to_string());
                i += n;
                continue;
            }
            if let Some(en) = self.parts.get(t) {
                push(out, en.to_string());
            } else if lang == "de" {
                if let Some(en) = self.compound_part(t) {
                    push(out, en.to_string());
                }
            }
            i += 1;
        }
    }

    /// A phrase of `PARTS` at the start of `toks`, with its length in tokens.
    fn phrase_at(&self, toks: &[String]) -> Option<(&'static str, usize)> {
        if !self.phrase_starts.contains(toks.first()?.as_str()) {
            return None;
        }
        (2..=3.min(toks.len())).rev().find_map(|n| {
            let phrase = toks[..n].join(" ");
            self.parts.get(phrase.as_str()).map(|en| (*en, n))
        })
    }

    /// The part a German compound ends in ("Ersatzakku": battery), if its last part is one of at
    /// least `COMPOUND_TAIL_MIN` letters after a first part of at least three.
    fn compound_part(&self, t: &str) -> Option<&'static str> {
        if t.chars().count() < COMPOUND_TAIL_MIN + 3 || !t.chars().all(char::is_alphabetic) {
            return None;
        }
        // One lookup rules out most words: no part ends as they do.
        let end = t.char_indices().rev().nth(2).map_or(t, |(b, _)| &t[b..]);
        if !self.part_ends.contains(end) {
            return None;
        }
        // Longest last part first: "Displayschutzfolie" is a screen protector before it is film.
        t.char_indices()
            .skip(3)
            .map(|(b, _)| &t[b..])
            .filter(|tail| tail.chars().count() >= COMPOUND_TAIL_MIN)
            .find_map(|tail| self.parts.get(tail).copied())
    }
}

/// The shortest last part of a German compound that counts ("band" in "Armband", not "rad").
const COMPOUND_TAIL_MIN: usize = 4;

impl Default for Aspects {
    fn default() -> Self {
        Self::new()
    }
}

/// Suffixes of English adjectives ("digital", "automatic", "portable"): such a word before a noun
/// describes it, and names nothing of its own.
const ADJECTIVE_SUFFIXES: &[&str] = &[
    "al", "ic", "ive", "ous", "ful", "less", "able", "ible", "ary", "ish", "est", "ing", "y",
];

/// Common English adjectives and prefixes without such a suffix, that stand before nouns
/// ("indoor shots", "extra battery", "front panel").
const MODIFIERS: &[&str] = &[
    "extra", "indoor", "outdoor", "main", "top", "bottom", "front", "rear", "side", "upper",
    "lower", "inner", "outer", "spare", "full", "half", "whole", "entire", "single", "double",
    "dual", "auto", "mini", "micro", "max", "plain", "standard", "regular", "normal", "overall",
];

fn adjective_like(t: &str) -> bool {
    (ADJECTIVE_SUFFIXES.iter().any(|s| t.ends_with(s)) && !t.ends_with("ery"))
        || MODIFIERS.contains(&t)
}

fn push(out: &mut Vec<String>, t: String) {
    if !out.contains(&t) {
        out.push(t);
    }
}

/// "buttons" → "button", "batteries" → "battery", "movies" → "movie"; leaves "glass", "series" alone.
pub fn singular(t: &str) -> String {
    // Nouns whose singular ends in -s: "the lens", "the gas".
    if t.ends_with("series")
        || t.ends_with("species")
        || matches!(
            t,
            "lens" | "gas" | "canvas" | "bias" | "alias" | "news" | "atlas"
        )
    {
        return t.to_string();
    }
    // "pics" are pictures, as reviewers' features are named.
    if matches!(t, "pic" | "pics" | "pix") {
        return "picture".to_string();
    }
    // flashes, switches, boxes, lenses: the -es is the plural's.
    if t == "lenses"
        || ["shes", "ches", "xes", "sses", "zzes"]
            .iter()
            .any(|e| t.ends_with(e))
    {
        return t[..t.len() - 2].to_string();
    }
    if let Some(stem) = t.strip_suffix("ies") {
        if stem.len() >= 3 {
            // movie, cookie, selfie, zombie keep their -ie; battery, accessory, reply take -y.
            return if stem.ends_with(['v', 'k', 'f', 'z', 'b']) {
                format!("{stem}ie")
            } else {
                format!("{stem}y")
            };
        }
    }
    if t.len() > 3
        && t.ends_with('s')
        && !t.ends_with("ss")
        && !t.ends_with("us")
        && !t.ends_with("is")
    {
        return t[..t.len() - 1].to_string();
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract(text: &str, polarity: Polarity) -> Vec<String> {
        static LEX: std::sync::OnceLock<Lexicons> = std::sync::OnceLock::new();
        let lex = LEX.get_or_init(Lexicons::load);
        let toks = super::super::text::tokens(text);
        let mut out = Vec::new();
        Aspects::new().extract(lex, Some("en"), &toks, polarity, &[], &mut out);
        out
    }

    fn parts(lang: &str, text: &str) -> Vec<String> {
        let toks = super::super::text::tokens(text);
        let mut out = Vec::new();
        Aspects::new().parts_in(lang, &toks, &mut out);
        out
    }

    #[test]
    fn other_languages_name_parts_by_phrases_and_german_compounds() {
        assert_eq!(
            parts("de", "Das Ladekabel und die Schutzhülle"),
            vec!["cable", "case"]
        );
        assert_eq!(parts("de", "Der Ersatzakku hält lange"), vec!["battery"]);
        // A last part of three letters is too short to tell: "Fahrradweg" names no wheel.
        assert!(parts("de", "Der Fahrradweg und das Erlebnis").is_empty());
        assert_eq!(
            parts("fr", "le boîtier de charge est top"),
            vec!["charging case"]
        );
        assert_eq!(
            parts("es", "el estuche de carga es genial"),
            vec!["charging case"]
        );
        // Compounds are German: French words are read whole.
        assert!(parts("fr", "superbatterie").is_empty());
    }

    #[test]
    fn a_compound_counts_whole_for_its_head_and_for_its_noun_modifier() {
        // Invented parts: the rule, not a list of features.
        let got = extract("the flange valve leaks", Polarity::Complaint);
        assert_eq!(got, vec!["flange valve", "valve", "flange"]);
        // An adjective-like modifier describes the head and names nothing itself.
        let got = extract(
            "the digital dial and the extra grommet",
            Polarity::Complaint,
        );
        assert_eq!(
            got,
            vec!["digital dial", "dial", "extra grommet", "grommet"]
        );
        // A property head counts whole and for the thing it is a property of.
        let got = extract("the hinge quality is superb", Polarity::Praise);
        assert_eq!(got, vec!["hinge quality", "hinge"]);
        // A helpdesk is what it is: no "customer", no "service".
        let got = extract("customer service never called back", Polarity::Complaint);
        assert_eq!(got, vec!["customer service"]);
    }

    #[test]
    fn the_plural_or_third_person_of_a_stop_word_is_no_aspect() {
        // "come" and "order" are stop words; their other forms are too, whichever the list holds.
        let got = extract(
            "the grommet comes loose and the orders are wrong",
            Polarity::Complaint,
        );
        assert_eq!(got, vec!["grommet"]);
        // A plural whose singular is no stop word stays: "flanges" counts as the flange.
        let got = extract("the flanges rust", Polarity::Complaint);
        assert_eq!(got, vec!["flange"]);
    }

    #[test]
    fn what_a_subject_does_is_no_aspect() {
        // Invented verbs would not be verbs: real ones, after a subject, with no noun after them.
        let got = extract("i wish the grommet was longer", Polarity::Complaint);
        assert_eq!(got, vec!["grommet"]);
        let got = extract(
            "they understand nothing the flange says",
            Polarity::Complaint,
        );
        assert_eq!(got, vec!["flange"]);
    }

    #[test]
    fn what_follows_an_auxiliary_is_no_aspect() {
        let got = extract("the flange doesn't understand", Polarity::Complaint);
        assert_eq!(got, vec!["flange"]);
        let got = extract("the grommet can't connect", Polarity::Complaint);
        assert_eq!(got, vec!["grommet"]);
        let got = extract(
            "the grommet is hard to ask her anything",
            Polarity::Complaint,
        );
        assert_eq!(got, vec!["grommet"]);
        // A thing after a determiner still counts: "can't find the flange".
        let got = extract("i can't find the flange", Polarity::Complaint);
        assert_eq!(got, vec!["flange"]);
    }

    #[test]
    fn an_ing_word_is_a_thing_only_after_a_determiner() {
        let got = extract(
            "the grommet keeps squeaking and leaking",
            Polarity::Complaint,
        );
        assert_eq!(got, vec!["grommet"]);
        let got = extract("the packaging is awful", Polarity::Complaint);
        assert_eq!(got, vec!["packaging"]);
        // In a compound the "-ing" word describes the head: "charging case" stays.
        let got = extract("the charging case cracked", Polarity::Complaint);
        assert_eq!(got, vec!["charging case", "case"]);
    }

    #[test]
    fn prepositions_are_no_aspects() {
        let got = extract(
            "useless without the flange, among other grommets",
            Polarity::Complaint,
        );
        assert_eq!(got, vec!["flange", "grommet"]);
    }

    #[test]
    fn a_lukewarm_verdict_is_no_aspect() {
        let got = extract("average flange, mediocre grommet", Polarity::Complaint);
        assert_eq!(got, vec!["flange", "grommet"]);
        let got = extract("decent sprocket, average hinge", Polarity::Praise);
        assert_eq!(got, vec!["sprocket", "hinge"]);
    }

    #[test]
    fn singulars() {
        for (plural, one) in [
            ("buttons", "button"),
            ("batteries", "battery"),
            ("accessories", "accessory"),
            ("movies", "movie"),
            ("cookies", "cookie"),
            ("series", "series"),
            ("glass", "glass"),
            ("lid", "lid"),
            ("flashes", "flash"),
            ("switches", "switch"),
            ("boxes", "box"),
            ("glasses", "glass"),
            ("lenses", "lens"),
            ("lens", "lens"),
            ("canvas", "canvas"),
            ("cases", "case"),
            ("pics", "picture"),
        ] {
            assert_eq!(singular(plural), one);
        }
    }
}
