#!/usr/bin/env python3
"""Writes src/analyze/offline/lexicon/en-bing.tsv from Bing Liu's opinion lexicon (Hu & Liu, KDD 2004) as
packaged in the R package tidytext 0.4.1 (MIT), whose documentation says the lexicon "is included in this
package with permission of the creators, and may be used in research, commercial, etc. contexts with
attribution". From Debian: `apt-get download r-cran-tidytext && dpkg -x r-cran-tidytext_*.deb x`, then
`pip install rdata` and `python3 tools/bing-lexicon.py x/usr/lib/R/site-library/tidytext/data/Rdata`.

The lexicon only says positive or negative; each word gets the median strength of VADER's words (0.4 on
-1..1), and it is loaded under AFINN and VADER, which grade the words they share with it.
"""
import os, sys, zlib

import rdata  # reads R's serialization format

STRENGTH = 0.4
# Words whose listed polarity is not what they mean in a product review: a device's functions and parts
# ("works", "cloud", "set-up", "skill", "LED"), its loudness and light ("loud", "dim"), hedges ("fairly",
# "enough", "right") and everyday verbs ("fall asleep", "rip a CD").
NEUTRAL = set("""
work works worked right enough loud louder cloud set-up swipe fall fell dark dim dimmer skill randomly
addicted addict sensitive hot boom booming rip ripped knife led wonder progressive available cheap cheaper
fairly willing prefer patient hang knock twist strictly concise
""".split())

base = sys.argv[1]
index = rdata.conversion.convert(rdata.parser.parse_file(base + ".rdx"))
offset, length = index["variables"]["sentiments"]
with open(base + ".rdb", "rb") as f:
    f.seek(int(offset))
    blob = f.read(int(length))
frame = rdata.conversion.convert(rdata.parser.parse_data(zlib.decompress(blob[4:])))
out = os.path.join(os.path.dirname(__file__), "..", "src", "analyze", "offline", "lexicon", "en-bing.tsv")
with open(out, "w", encoding="utf-8") as f:
    f.write("# Opinion lexicon of Bing Liu and collaborators (Hu & Liu, KDD 2004; "
            "https://www.cs.uic.edu/~liub/FBS/sentiment-analysis.html), from R tidytext 0.4.1; "
            f"positive {STRENGTH}, negative -{STRENGTH}\n")
    for word, sentiment in sorted(set(zip(frame["word"], frame["sentiment"]))):
        if word in NEUTRAL:
            continue
        f.write(f"{word}\t{STRENGTH if sentiment == 'positive' else -STRENGTH}\n")
