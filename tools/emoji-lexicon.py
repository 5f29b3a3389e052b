#!/usr/bin/env python3
"""Writes src/analyze/offline/lexicon/emoji.tsv the way VADER reads emoji: VADER (vaderSentiment 3.3.2, MIT;
Hutto & Gilbert 2014) replaces each emoji by its Unicode description ("grinning face with smiling eyes") and
scores those words. This does that once, ahead of time: `pip download --no-deps vaderSentiment==3.3.2`, unzip
the wheel, then `python3 tools/emoji-lexicon.py DIR` with DIR the folder that holds `vaderSentiment/`.

Each emoji's valence is VADER's compound score of its description, on the -1..1 scale of the other lists.
Only faces, hearts and kisses are written: VADER also scores objects by their names ("game die", "bus stop",
"credit card"), which say nothing about a product. And only single-character emoji (the tokenizer makes one
token of each; skin tones and variation selectors are dropped), and those whose description carries no
sentiment. extra.tsv, loaded
after this list, grades the emoji reviews use differently from their names (🔥 is praise, not a hazard).
"""
import os, sys

sys.path.insert(0, sys.argv[1])
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

vader = SentimentIntensityAnalyzer()
out = os.path.join(os.path.dirname(__file__), "..", "src", "analyze", "offline", "lexicon", "emoji.tsv")
rows = {}
path = os.path.join(sys.argv[1], "vaderSentiment", "emoji_utf8_lexicon.txt")
for line in open(path, encoding="utf-8"):
    emoji, _, description = line.rstrip("\n").partition("\t")
    emoji = emoji.replace("\ufe0f", "")
    if len(emoji) != 1 or not any(w in description for w in ("face", "heart", "kiss")):
        continue
    v = vader.polarity_scores(description)["compound"]
    if round(v, 2) != 0:
        rows[emoji] = (v, description)
with open(out, "w", encoding="utf-8") as f:
    f.write("# Emoji valences: VADER's compound score of each emoji's description (vaderSentiment 3.3.2, MIT;\n")
    f.write("# Hutto & Gilbert 2014), written by tools/emoji-lexicon.py\n")
    for emoji in sorted(rows):
        v, description = rows[emoji]
        f.write(f"{emoji}\t{v:.2f}\t# {description}\n")
print(len(rows), "emoji")
